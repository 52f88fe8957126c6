// The Managed Application template the partner ships (deploy/managed-app/mainTemplate.json),
// compiled into vivasim so that every `vivasim pipeline run` executes exactly that pipeline
// (sim/arm_pipeline.h) without looking for the file at run time.
#pragma once

#include <string_view>

namespace vivalink::sim {

// The template's JSON text as it was when vivasim was built. Static storage; thread-safe.
std::string_view ShippedTemplateJson();

}  // namespace vivalink::sim
