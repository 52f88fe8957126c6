// Progress for long-running commands: on a terminal a single self-rewriting line on stderr
// (drops, rows, bytes, rate), at most a few times a second; when stderr is not a terminal (logs,
// CI) it prints nothing. Thread-safe: counters are atomic, one thread may call Tick().
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace vivalink::core {

class Progress {
 public:
  // label: e.g. "vivalink run". enabled=false forces silence; by default it follows isatty(2).
  explicit Progress(std::string label, int enabled = -1);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void AddDrops(uint64_t n = 1) { drops_ += n; }
  void AddRows(uint64_t n) { rows_ += n; }
  void AddBytes(uint64_t n) { bytes_ += n; }
  void SetStage(std::string stage);
  // Redraws the line if enough time passed since the last draw.
  void Tick();
  // Draws the final line and a newline (terminal only).
  void Finish();
  bool enabled() const { return enabled_; }

 private:
  void Draw(bool final);
  std::string label_;
  std::string stage_;
  bool enabled_;
  bool finished_ = false;
  std::atomic<uint64_t> drops_{0}, rows_{0}, bytes_{0};
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace vivalink::core
