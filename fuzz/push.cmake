# libFuzzer target of the push module: notification bodies, Event Grid / CloudEvents batches and
# signature headers (push/notification.h).
vl_fuzz(push_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/push_fuzz.cc DEPS vivalink::push)
# Entra ID bearer tokens and the JWKS document the authority serves (push/entra.h).
vl_fuzz(entra_token_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/entra_token_fuzz.cc
        DEPS vivalink::push vivalink::http)
