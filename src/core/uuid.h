// UUIDs (GUIDs) as Azure and Entra ID write them: 8-4-4-4-12 hex digits.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vivalink::core {

// A random (version 4) UUID in lower case, from the OS CSPRNG. Thread-safe.
std::string NewUuid();
// A version-4-shaped UUID derived deterministically from a 64-bit seed stream (simulator, tests).
std::string UuidFromSeed(uint64_t a, uint64_t b);
// True for 36 characters in the 8-4-4-4-12 hex shape (either case).
bool IsUuid(std::string_view text);
// Lower-cases a UUID; tenant ids are compared and used as container names in lower case.
std::string NormalizeUuid(std::string_view text);

}  // namespace vivalink::core
