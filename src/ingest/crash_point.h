// A test hook for crash tests: VIVALINK_CRASH_AT=<stage>:<n> makes the process kill itself with
// SIGKILL the n-th time (1-based) it passes CrashPoint(<stage>). Stages used by the processor:
//   claimed    after a drop was claimed in the ledger
//   download   after each batch read and decrypted
//   insert     after each batch written inside the open transaction
//   commit     just before the transaction commits
//   committed  just after it committed, before cleanup
//   cleanup    after each encrypted blob was deleted
// Unset (production): a no-op costing one branch.
#pragma once

#include <string_view>

namespace vivalink::ingest {

void CrashPoint(std::string_view stage);

}  // namespace vivalink::ingest
