#include "core/text.h"

#include <cctype>
#include <cstdint>
#include <cstdio>

namespace fraudgate::core {

std::string FoldWidthAndTrim(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const auto c0 = static_cast<unsigned char>(in[i]);
    // U+FF01..U+FF5E is EF BC 81..EF BC BF and EF BD 80..EF BD 9E.
    if (c0 == 0xEF && i + 2 < in.size()) {
      const auto c1 = static_cast<unsigned char>(in[i + 1]);
      const auto c2 = static_cast<unsigned char>(in[i + 2]);
      unsigned code = ((c0 & 0x0F) << 12) | ((c1 & 0x3F) << 6) | (c2 & 0x3F);
      if ((c1 & 0xC0) == 0x80 && (c2 & 0xC0) == 0x80 && code >= 0xFF01 &&
          code <= 0xFF5E) {
        out.push_back(static_cast<char>(code - 0xFF01 + 0x21));
        i += 2;
        continue;
      }
    }
    // U+3000 is E3 80 80.
    if (c0 == 0xE3 && i + 2 < in.size() &&
        static_cast<unsigned char>(in[i + 1]) == 0x80 &&
        static_cast<unsigned char>(in[i + 2]) == 0x80) {
      out.push_back(' ');
      i += 2;
      continue;
    }
    out.push_back(static_cast<char>(c0));
  }
  size_t begin = 0;
  while (begin < out.size() &&
         std::isspace(static_cast<unsigned char>(out[begin])))
    ++begin;
  size_t end = out.size();
  while (end > begin && std::isspace(static_cast<unsigned char>(out[end - 1])))
    --end;
  return out.substr(begin, end - begin);
}

std::string FoldName(std::string_view name) {
  std::string out;
  for (char c : AsciiLower(FoldWidthAndTrim(name))) {
    if (c != ' ' && c != '.' && c != '-' && c != '_') out.push_back(c);
  }
  return out;
}

std::string AsciiUpper(std::string_view in) {
  std::string out(in);
  for (char& c : out)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string AsciiLower(std::string_view in) {
  std::string out(in);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = text[i];
    int extra;
    uint32_t min, cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1, min = 0x80, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2, min = 0x800, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3, min = 0x10000, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;  // cut short
    for (int k = 1; k <= extra; ++k) {
      const unsigned char next = text[i + k];
      if ((next & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (next & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

bool HasHiddenControl(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F) return true;
    auto next = [&](size_t k) {
      return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0;
    };
    if (c == 0xC2 && next(1) >= 0x80 && next(1) <= 0x9F) return true;  // C1
    if (c == 0xD8 && next(1) == 0x9C) return true;                     // U+061C
    if (c == 0xE2 && next(1) == 0x80 &&
        ((next(2) >= 0x8E && next(2) <= 0x8F) ||   // U+200E, U+200F
         (next(2) >= 0xAA && next(2) <= 0xAE))) {  // U+202A..U+202E
      return true;
    }
    if (c == 0xE2 && next(1) == 0x81 && next(2) >= 0xA6 &&
        next(2) <= 0xA9) {  // U+2066..U+2069
      return true;
    }
  }
  return false;
}

void AppendJsonString(std::string_view text, std::string& out) {
  const bool utf8 = IsValidUtf8(text);
  out.push_back('"');
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(ch);
    } else if (c < 0x20 || c == 0x7F) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\u%04x", c);
      out += escaped;
    } else if (c >= 0x80 && !utf8) {
      out.push_back('?');
    } else {
      out.push_back(ch);
    }
  }
  out.push_back('"');
}

}  // namespace fraudgate::core
