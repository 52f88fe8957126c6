vl_fuzz(metadata_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/metadata_fuzz.cc DEPS vivalink::drop)
# The key API's answer and drop names from blob paths (drop/keys.h, drop/layout.h).
vl_fuzz(keys_response_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/keys_response_fuzz.cc
        DEPS vivalink::drop)
vl_fuzz(drop_ref_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/drop_ref_fuzz.cc DEPS vivalink::drop)
