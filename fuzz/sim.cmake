# libFuzzer target of the simulator's ARM / ADF expression language (sim/arm_expression.h), the
# parser vivasim runs the Managed Application template with.
vl_fuzz(arm_expression_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/arm_expression_fuzz.cc
        DEPS vivalink::sim)
