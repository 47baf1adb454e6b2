set(HOST_SYSTEM_SOURCES
  proc_text.cc proc_stat.cc cpu.cc stat.cc loadavg.cc meminfo.cc vmstat.cc filefd.cc entropy.cc
  time_linux.cc uname_linux.cc os_release.cc)
