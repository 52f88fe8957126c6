#include "core/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

#include "core/strings.h"

namespace vivalink::core {

Progress::Progress(std::string label, int enabled)
    : label_(std::move(label)),
      enabled_(enabled < 0 ? isatty(STDERR_FILENO) == 1 : enabled != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() { Finish(); }

void Progress::SetStage(std::string stage) { stage_ = std::move(stage); }

void Progress::Tick() {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(200)) return;
  last_draw_ = now;
  Draw(false);
}

void Progress::Finish() {
  if (!enabled_ || finished_) return;
  finished_ = true;
  Draw(true);
}

void Progress::Draw(bool final) {
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double rate = secs > 0 ? static_cast<double>(bytes_.load()) / secs : 0;
  std::string line =
      fmt::format("\r{}: {} drops, {} rows, {} ({}/s){}{}\x1b[K", label_, drops_.load(),
                  rows_.load(), HumanBytes(static_cast<double>(bytes_.load())), HumanBytes(rate),
                  stage_.empty() ? "" : " - ", stage_);
  std::fputs(line.c_str(), stderr);
  if (final) std::fputs("\n", stderr);
  std::fflush(stderr);
}

}  // namespace vivalink::core
