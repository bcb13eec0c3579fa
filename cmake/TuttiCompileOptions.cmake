# Compiler settings shared by every tutti target, applied through tutti_add_library and
# tutti_target_defaults.
add_library(tutti_compile_options INTERFACE)
target_compile_options(tutti_compile_options INTERFACE -Wall -Wextra -Wpedantic)
if(TUTTI_WARNINGS_AS_ERRORS)
  target_compile_options(tutti_compile_options INTERFACE -Werror)
endif()
if(TUTTI_SANITIZE)
  # -fno-sanitize=null: CAF 0.17's init_fun_factory binds a null reference, harmlessly.
  set(tutti_sanitizer_flags -fsanitize=address,undefined -fno-sanitize=null
      -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_compile_options(tutti_compile_options INTERFACE ${tutti_sanitizer_flags})
  target_link_options(tutti_compile_options INTERFACE ${tutti_sanitizer_flags})
endif()

function(tutti_target_defaults target)
  target_link_libraries(${target} PRIVATE tutti_compile_options)
endfunction()

# tutti_add_library(NAME SOURCES... DEPENDS targets...): libs/NAME as target tutti_NAME with
# the alias tutti::NAME, public headers under include/.
function(tutti_add_library name)
  cmake_parse_arguments(arg "" "" "SOURCES;DEPENDS;PRIVATE_DEPENDS" ${ARGN})
  add_library(tutti_${name} ${arg_SOURCES})
  add_library(tutti::${name} ALIAS tutti_${name})
  target_include_directories(tutti_${name} PUBLIC
    $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include> $<INSTALL_INTERFACE:include>)
  target_link_libraries(tutti_${name} PUBLIC ${arg_DEPENDS} PRIVATE ${arg_PRIVATE_DEPENDS})
  tutti_target_defaults(tutti_${name})
endfunction()
