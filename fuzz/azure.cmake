# libFuzzer target of the azure module: connection strings, storage URLs, and the service's
# answers (List Blobs XML, queue message lists, error bodies) through a scripted transport.
vl_fuzz(azure_answers_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/azure_answers_fuzz.cc
        DEPS vivalink::azure vivalink::http)
