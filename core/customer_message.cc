#include "core/customer_message.h"

#include "core/text.h"

namespace fraudgate::core {
namespace {

struct Text {
  const char* vi;
  const char* en;
};

// What police said the identifier is used for.
Text CategoryText(Category category) {
  switch (category) {
    case Category::kExtortionDeepfake:
      return {
          "Cơ quan Công an đã cảnh báo người nhận này được dùng để tống tiền "
          "bằng hình ảnh, video bị cắt ghép, giả mạo (deepfake).",
          "Police have warned that this recipient is used to extort money "
          "with faked (deepfake) images or videos."};
    case Category::kExtortionOther:
      return {
          "Cơ quan Công an đã cảnh báo người nhận này được dùng để đe dọa, "
          "tống tiền.",
          "Police have warned that this recipient is used for threats and "
          "extortion."};
    case Category::kImpersonation:
      return {
          "Cơ quan Công an đã cảnh báo người nhận này được dùng để giả danh "
          "cơ quan nhà nước, ngân hàng hoặc người quen.",
          "Police have warned that this recipient is used by people "
          "impersonating authorities, banks or acquaintances."};
    case Category::kInvestmentScam:
      return {
          "Cơ quan Công an đã cảnh báo người nhận này được dùng để lừa đảo "
          "đầu tư.",
          "Police have warned that this recipient is used in investment "
          "scams."};
    case Category::kShoppingScam:
      return {
          "Cơ quan Công an đã cảnh báo người nhận này được dùng để lừa đảo "
          "mua bán trực tuyến.",
          "Police have warned that this recipient is used in online "
          "shopping scams."};
    case Category::kOther:
      break;
  }
  return {"Cơ quan Công an đã cảnh báo người nhận này liên quan đến lừa đảo.",
          "Police have warned that this recipient is linked to fraud."};
}

// What the customer should do, by decision.
Text ActionText(Decision decision, Category category) {
  const bool extortion = category == Category::kExtortionDeepfake ||
                         category == Category::kExtortionOther;
  switch (decision) {
    case Decision::kBlock:
      return {
          extortion
              ? "Giao dịch đã bị chặn. Không chuyển tiền; hãy giữ lại tin "
                "nhắn và gọi Công an (113) hoặc đến cơ quan Công an gần nhất."
              : "Giao dịch đã bị chặn. Không chuyển tiền; hãy liên hệ ngân "
                "hàng hoặc gọi Công an (113).",
          extortion ? "The transfer has been blocked. Do not pay; keep the "
                      "messages and call the police (113) or visit the nearest "
                      "police station."
                    : "The transfer has been blocked. Do not pay; contact your "
                      "bank or call the police (113)."};
    case Decision::kHold:
      return {
          "Giao dịch đang được tạm giữ để ngân hàng xác minh. Ngân hàng sẽ "
          "liên hệ với Quý khách; không chuyển tiền qua kênh khác.",
          "The transfer is on hold while the bank checks it. The bank will "
          "contact you; do not send the money another way."};
    case Decision::kWarn:
      return {
          "Quý khách hãy dừng lại và kiểm tra kỹ người nhận trước khi "
          "chuyển tiền. Nếu bị đe dọa, hãy gọi Công an (113).",
          "Please stop and verify the recipient before you pay. If you are "
          "being threatened, call the police (113)."};
    case Decision::kAllow:
      break;
  }
  return {"", ""};
}

}  // namespace

std::string CustomerMessage(Decision decision, Category category) {
  if (decision == Decision::kAllow) return "";
  const Text what = CategoryText(category);
  const Text action = ActionText(decision, category);
  return StrCat(what.vi, " ", action.vi, " / ", what.en, " ", action.en);
}

}  // namespace fraudgate::core
