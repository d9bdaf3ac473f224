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

}  // namespace
}  // namespace fraudgate::core
