# Fuzz targets of the crypto module (included by fuzz/CMakeLists.txt).
vl_fuzz(gzip_cbc_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/gzip_cbc_fuzz.cc DEPS vivalink::crypto)
