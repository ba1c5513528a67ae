# ussl as a MicroPython user C module, for CMake-based ports (esp32, rp2).
# Pass USER_C_MODULES=/path/to/ussl/mpy_module/micropython.cmake and set USSL_LIB to the
# engine built for the board's target (e.g. thumbv6m-none-eabi for rp2040,
# thumbv8m.main-none-eabihf for rp2350, riscv32imc-esp-espidf or xtensa via esp-rs for esp32).
add_library(usermod_ussl INTERFACE)

target_sources(usermod_ussl INTERFACE
    ${CMAKE_CURRENT_LIST_DIR}/modussl.c
    ${CMAKE_CURRENT_LIST_DIR}/ssl_socket.c
    ${CMAKE_CURRENT_LIST_DIR}/handshake.c
    ${CMAKE_CURRENT_LIST_DIR}/socket_io.c
    ${CMAKE_CURRENT_LIST_DIR}/port_hooks.c
    ${CMAKE_CURRENT_LIST_DIR}/port_atomics.c
    ${CMAKE_CURRENT_LIST_DIR}/workspace_blocks.c
    ${CMAKE_CURRENT_LIST_DIR}/session.c
    ${CMAKE_CURRENT_LIST_DIR}/modtls.c
    ${CMAKE_CURRENT_LIST_DIR}/errors.c
    ${CMAKE_CURRENT_LIST_DIR}/loader.c
)

target_include_directories(usermod_ussl INTERFACE ${CMAKE_CURRENT_LIST_DIR})

# hashlib and cryptolib over the engine (README, "hashlib and cryptolib") instead of extmod's,
# which use mbedTLS: on unless USSL_PYCRYPTO is set off (a port that links mbedTLS for other
# reasons, ESP-IDF's TLS for one, may keep extmod's). The port includes this file after
# extmod.cmake, so extmod's two modules can be taken out of its sources here; and since they
# were mbedTLS's only users in an image whose TLS is ussl's (MICROPY_PY_SSL 0), the port's
# mbedTLS library target keeps its include paths (mbedtls_alt.c still compiles) but loses its
# sources: the image links no mbedTLS (tests_fw/test_rp2_image.py checks the symbol table).
if(NOT DEFINED USSL_PYCRYPTO OR USSL_PYCRYPTO)
    target_sources(usermod_ussl INTERFACE
        ${CMAKE_CURRENT_LIST_DIR}/pyhashlib.c
        ${CMAKE_CURRENT_LIST_DIR}/pycryptolib.c
    )
    list(REMOVE_ITEM MICROPY_SOURCE_EXTMOD
        ${MICROPY_EXTMOD_DIR}/modhashlib.c
        ${MICROPY_EXTMOD_DIR}/modcryptolib.c
    )
    if(TARGET micropy_lib_mbedtls)
        set_property(TARGET micropy_lib_mbedtls PROPERTY INTERFACE_SOURCES "")
    endif()
endif()

# The engine's build profile or features, as the archive was built with (README, "Build
# profiles"): the shim leaves out its getpeercert() dict without `certinfo`.
if(NOT USSL_FEATURES)
    set(USSL_FEATURES full)
endif()
string(REPLACE "," ";" USSL_FEATURE_LIST "${USSL_FEATURES}")
if("full" IN_LIST USSL_FEATURE_LIST OR "certinfo" IN_LIST USSL_FEATURE_LIST)
    target_sources(usermod_ussl INTERFACE ${CMAKE_CURRENT_LIST_DIR}/certdict.c)
    target_compile_definitions(usermod_ussl INTERFACE USSL_HAS_CERTINFO=1)
else()
    target_compile_definitions(usermod_ussl INTERFACE USSL_HAS_CERTINFO=0)
endif()

target_compile_definitions(usermod_ussl INTERFACE USSL_BENCH=0)

if(NOT USSL_LIB)
    set(USSL_LIB ${CMAKE_CURRENT_LIST_DIR}/../target/release/libussl.a)
endif()
target_link_libraries(usermod_ussl INTERFACE m ${USSL_LIB})

target_link_libraries(usermod INTERFACE usermod_ussl)
