// core/text.h: UTF-8 well-formedness, the gate for text that arrives outside
// protobuf (HTTP query parameters).
#include "core/text.h"

#include <string>

#include "gtest/gtest.h"

namespace fraudgate::core {
namespace {

TEST(IsValidUtf8Test, AcceptsAsciiAndWellFormedSequences) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("VCB 0071001234567"));
  EXPECT_TRUE(IsValidUtf8("Đe dọa phát tán clip"));  // 2- and 3-byte forms
  EXPECT_TRUE(IsValidUtf8("０９１２"));              // full-width digits
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x92\xB8"));      // U+1F4B8, 4 bytes
  EXPECT_TRUE(IsValidUtf8("\xF4\x8F\xBF\xBF"));      // U+10FFFF, the last
}

TEST(IsValidUtf8Test, RejectsMalformedSequences) {
  EXPECT_FALSE(IsValidUtf8("\xFF"));              // never in UTF-8
  EXPECT_FALSE(IsValidUtf8("\x80"));              // lone continuation
  EXPECT_FALSE(IsValidUtf8("\xC3\x28"));          // bad continuation
  EXPECT_FALSE(IsValidUtf8("ab\xE1\xBB"));        // cut short at the end
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // overlong, 3 bytes
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate U+D800
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8(std::string("a\0\xFF", 3)));
}

std::string Json(std::string_view text) {
  std::string out = "x=";
  AppendJsonString(text, out);
  return out;
}

TEST(HasHiddenControlTest, FindsControlAndBidiFormattingCharacters) {
  for (const char* shown :
       {"", "FT26112900001", "Ngoại thương", "\xE2\x80\x8B",  // U+200B
        "\xE2\x80\xAF", "\xE2\x81\xA5", "\xD8\x9B", "\xC2\xA0"}) {
    EXPECT_FALSE(HasHiddenControl(shown)) << shown;
  }
  for (const char* hidden : {"a\tb", "a\nb", "\x7F", "FT\xC2\x85", "FT\xD8\x9C",
                             "FT\xE2\x80\x8E", "FT\xE2\x80\x8F",
                             "FT\xE2\x80\xAA"
                             "1",
                             "FT\xE2\x80\xAE"
                             "1234",
                             "FT\xE2\x81\xA6", "FT\xE2\x81\xA9"}) {
    EXPECT_TRUE(HasHiddenControl(hidden)) << hidden;
  }
}

TEST(AppendJsonStringTest, QuotesAndEscapes) {
  EXPECT_EQ(Json(""), R"(x="")");
  EXPECT_EQ(Json(R"(a "b" \c)"), R"(x="a \"b\" \\c")");
  EXPECT_EQ(Json("line\nnext\t\x01\x7F"),
            R"(x="line\u000anext\u0009\u0001\u007f")");
  EXPECT_EQ(Json("Đe dọa"), "x=\"Đe dọa\"");  // valid UTF-8 passes
  // Not UTF-8: the non-ASCII bytes are replaced, so the JSON stays valid.
  EXPECT_EQ(Json("ab\xFF\xC3"), R"(x="ab??")");
}

}  // namespace
}  // namespace fraudgate::core
