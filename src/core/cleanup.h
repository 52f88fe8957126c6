// Runs a callable when the scope ends, unless Cancel() was called (like absl::Cleanup).
#pragma once

#include <utility>

namespace vivalink::core {

template <typename F>
class [[nodiscard]] Cleanup {
 public:
  explicit Cleanup(F f) : f_(std::move(f)) {}
  ~Cleanup() {
    if (active_) f_();
  }
  Cleanup(const Cleanup&) = delete;
  Cleanup& operator=(const Cleanup&) = delete;
  void Cancel() { active_ = false; }

 private:
  F f_;
  bool active_ = true;
};

}  // namespace vivalink::core
