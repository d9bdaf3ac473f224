// A unique temporary directory, removed with everything in it on destruction.
// Unique per test process and call, so `ctest -j` runs never share one.
#ifndef FRAUDGATE_TESTS_TESTING_TEMP_DIR_H_
#define FRAUDGATE_TESTS_TESTING_TEMP_DIR_H_

#include <string>

namespace fraudgate::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name.
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace fraudgate::testing

#endif  // FRAUDGATE_TESTS_TESTING_TEMP_DIR_H_
