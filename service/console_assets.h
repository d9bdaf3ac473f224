// The analyst console's files (service/console/), compiled in by CMake.
#ifndef FRAUDGATE_SERVICE_CONSOLE_ASSETS_H_
#define FRAUDGATE_SERVICE_CONSOLE_ASSETS_H_

namespace fraudgate::service::internal {

extern const char kConsoleHtml[];  // index.html
extern const char kConsoleJs[];    // console.js
extern const char kConsoleCss[];   // console.css

}  // namespace fraudgate::service::internal

#endif  // FRAUDGATE_SERVICE_CONSOLE_ASSETS_H_
