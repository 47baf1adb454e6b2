# The built-in UI (included from agent/api/CMakeLists.txt). Sources in
# agent/api/ui/src; uPlot and esbuild pinned by package-lock.json and
# installed with `npm ci --offline` from the npm cache scripts/setup fills (the
# build never touches the network); esbuild bundles src/main.js into app.js +
# app.css; embed.py writes them and index.html into ui_assets.cc, served by
# ui.cc. -DCISTERN_UI=OFF embeds a one-line placeholder page instead (for a
# machine without node).
option(CISTERN_UI "Bundle the built-in UI with npm + esbuild" ON)
find_package(Python3 COMPONENTS Interpreter REQUIRED)
set(UI_SRC_DIR ${CMAKE_CURRENT_SOURCE_DIR}/ui)
set(UI_WORK ${CMAKE_CURRENT_BINARY_DIR}/ui)
set(UI_ASSETS_CC ${CMAKE_CURRENT_BINARY_DIR}/ui_assets.cc)

if(CISTERN_UI)
  find_program(CISTERN_NPM npm)
  find_program(CISTERN_NODE node)
  if(NOT CISTERN_NPM OR NOT CISTERN_NODE)
    message(FATAL_ERROR "the built-in UI needs node and npm: run scripts/setup, or configure with -DCISTERN_UI=OFF")
  endif()
  file(GLOB UI_SOURCES CONFIGURE_DEPENDS ${UI_SRC_DIR}/src/*)
  add_custom_command(
    OUTPUT ${UI_WORK}/node_modules/.cistern-installed
    COMMAND ${CMAKE_COMMAND} -E make_directory ${UI_WORK}
    COMMAND ${CMAKE_COMMAND} -E copy ${UI_SRC_DIR}/package.json ${UI_SRC_DIR}/package-lock.json ${UI_WORK}/
    COMMAND ${CMAKE_COMMAND} -E chdir ${UI_WORK}
            ${CISTERN_NPM} ci --offline --ignore-scripts --no-audit --no-fund --loglevel=error
    COMMAND ${CMAKE_COMMAND} -E touch ${UI_WORK}/node_modules/.cistern-installed
    DEPENDS ${UI_SRC_DIR}/package.json ${UI_SRC_DIR}/package-lock.json
    COMMENT "ui: npm ci --offline (esbuild, uPlot from the npm cache; scripts/setup fills it)"
    VERBATIM)
  add_custom_command(
    OUTPUT ${UI_WORK}/dist/app.js ${UI_WORK}/dist/app.css
    COMMAND ${CMAKE_COMMAND} -E rm -rf ${UI_WORK}/src
    COMMAND ${CMAKE_COMMAND} -E copy_directory ${UI_SRC_DIR}/src ${UI_WORK}/src
    COMMAND ${CISTERN_NODE} ${UI_WORK}/node_modules/esbuild/bin/esbuild ${UI_WORK}/src/main.js
            --bundle --minify --format=iife --target=es2020 --legal-comments=none --charset=utf8
            --outdir=${UI_WORK}/dist --entry-names=app --log-level=warning
    DEPENDS ${UI_WORK}/node_modules/.cistern-installed ${UI_SOURCES}
    COMMENT "ui: esbuild bundle"
    VERBATIM)
  set(UI_FILES ${UI_SRC_DIR}/src/index.html ${UI_WORK}/dist/app.js ${UI_WORK}/dist/app.css)
else()
  file(WRITE ${UI_WORK}/placeholder/index.html
       "<!doctype html><title>Cistern</title><p>This cistern was built without its UI (-DCISTERN_UI=OFF); the API is under /api/v1/.</p>\n")
  set(UI_FILES ${UI_WORK}/placeholder/index.html)
endif()

add_custom_command(
  OUTPUT ${UI_ASSETS_CC}
  COMMAND ${Python3_EXECUTABLE} ${UI_SRC_DIR}/embed.py ${UI_ASSETS_CC} ${UI_FILES}
  DEPENDS ${UI_SRC_DIR}/embed.py ${UI_FILES}
  COMMENT "ui: embedding the bundle into ui_assets.cc"
  VERBATIM)
target_sources(cistern_api PRIVATE ui.cc ${UI_ASSETS_CC})
