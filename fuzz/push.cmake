# libFuzzer target of the push module: notification bodies, Event Grid / CloudEvents batches and
# signature headers (push/notification.h).
vl_fuzz(push_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/push_fuzz.cc DEPS vivalink::push)
