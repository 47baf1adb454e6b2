// UTF-8 decoding and encoding with Go's rules (unicode/utf8), shared by the
// JSON writer and PromQL's Go-compatible quoting. Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cistern {

inline constexpr int32_t kRuneError = 0xFFFD;
inline constexpr int32_t kMaxRune = 0x10FFFF;

// Decodes the rune at the start of `s` like utf8.DecodeRuneInString: invalid
// or truncated sequences give (kRuneError, 1); empty input gives (kRuneError, 0).
int32_t DecodeRune(std::string_view s, int* width);
void AppendRune(std::string* out, int32_t r);  // UTF-8; invalid runes as U+FFFD

}  // namespace cistern
