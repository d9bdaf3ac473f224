#include "core/customer_message.h"

#include <set>
#include <string>
#include <string_view>

#include "core/scoring.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraudgate::core {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr Category kAllCategories[] = {
    Category::kExtortionDeepfake, Category::kExtortionOther,
    Category::kImpersonation,     Category::kInvestmentScam,
    Category::kShoppingScam,      Category::kOther,
};

constexpr Decision kWarnHoldBlock[] = {Decision::kWarn, Decision::kHold,
                                       Decision::kBlock};

std::string Describe(Decision d, Category c) {
  return "decision " + std::to_string(static_cast<int>(d)) + " category " +
         std::to_string(static_cast<int>(c));
}

TEST(CustomerMessageTest, EmptyOnAllow) {
  for (Category c : kAllCategories) {
    EXPECT_THAT(CustomerMessage(Decision::kAllow, c), IsEmpty())
        << static_cast<int>(c);
  }
}

TEST(CustomerMessageTest, VietnameseThenEnglishForEveryCategoryAndDecision) {
  for (Decision d : kWarnHoldBlock) {
    for (Category c : kAllCategories) {
      const std::string m = CustomerMessage(d, c);
      ASSERT_THAT(m, Not(IsEmpty())) << Describe(d, c);
      const size_t sep = m.find(" / ");
      ASSERT_NE(sep, std::string::npos) << Describe(d, c) << ": " << m;
      const std::string vi = m.substr(0, sep);
      const std::string en = m.substr(sep + 3);
      // Vietnamese first: it names the police (Công an) and has diacritics.
      EXPECT_THAT(vi, HasSubstr("Công an")) << Describe(d, c);
      EXPECT_THAT(vi, Not(HasSubstr("Police"))) << Describe(d, c);
      // English second.
      EXPECT_THAT(en, HasSubstr("Police have warned")) << Describe(d, c);
      EXPECT_THAT(en, Not(HasSubstr("Công an"))) << Describe(d, c);
      for (char ch : en) {
        EXPECT_LT(static_cast<unsigned char>(ch), 0x80)
            << Describe(d, c) << ": non-ASCII in English part: " << en;
      }
      EXPECT_THAT(m, Not(HasSubstr("  "))) << Describe(d, c);
      EXPECT_EQ(m.front(), 'C') << Describe(d, c);
    }
  }
}

TEST(CustomerMessageTest, DeepfakeExtortionBlockSaysDeepfakeAndPolice) {
  const std::string m =
      CustomerMessage(Decision::kBlock, Category::kExtortionDeepfake);
  EXPECT_THAT(
      m, AllOf(HasSubstr("deepfake"), HasSubstr("113"), HasSubstr("Công an"),
               HasSubstr("police"), HasSubstr("extort"), HasSubstr("tống tiền"),
               HasSubstr("blocked"), HasSubstr("Do not pay")));
}

TEST(CustomerMessageTest, BlockTellsTheCustomerToCallThePolice) {
  for (Category c : kAllCategories) {
    EXPECT_THAT(CustomerMessage(Decision::kBlock, c),
                AllOf(HasSubstr("113"), HasSubstr("blocked")))
        << static_cast<int>(c);
  }
}

TEST(CustomerMessageTest, DistinctTextPerCategory) {
  for (Decision d : kWarnHoldBlock) {
    std::set<std::string> vi_texts;
    std::set<std::string> en_texts;
    for (Category c : kAllCategories) {
      const std::string m = CustomerMessage(d, c);
      const size_t sep = m.find(" / ");
      ASSERT_NE(sep, std::string::npos);
      EXPECT_TRUE(vi_texts.insert(m.substr(0, sep)).second) << Describe(d, c);
      EXPECT_TRUE(en_texts.insert(m.substr(sep + 3)).second) << Describe(d, c);
    }
  }
}

TEST(CustomerMessageTest, DistinctTextPerDecision) {
  for (Category c : kAllCategories) {
    std::set<std::string> texts;
    for (Decision d : kWarnHoldBlock) {
      EXPECT_TRUE(texts.insert(CustomerMessage(d, c)).second) << Describe(d, c);
    }
  }
}

TEST(CustomerMessageTest, NamesTheCategory) {
  struct Case {
    Category category;
    std::string_view en;
  };
  for (const Case& c : {Case{Category::kExtortionDeepfake, "deepfake"},
                        Case{Category::kExtortionOther, "extortion"},
                        Case{Category::kImpersonation, "impersonating"},
                        Case{Category::kInvestmentScam, "investment"},
                        Case{Category::kShoppingScam, "shopping"},
                        Case{Category::kOther, "fraud"}}) {
    for (Decision d : kWarnHoldBlock) {
      EXPECT_THAT(CustomerMessage(d, c.category), HasSubstr(std::string(c.en)))
          << Describe(d, c.category);
    }
  }
}

}  // namespace
}  // namespace fraudgate::core
