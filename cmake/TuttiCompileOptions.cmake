# Compiler settings shared by every tutti target, applied through tutti_add_library and
# tutti_target_defaults. They are set on each target directly, not through an interface
# library, so that the installed package does not depend on a target of this build.
set(tutti_compile_flags -Wall -Wextra -Wpedantic)
if(TUTTI_WARNINGS_AS_ERRORS)
  list(APPEND tutti_compile_flags -Werror)
endif()
set(tutti_link_flags)
if(TUTTI_SANITIZE)
  # -fno-sanitize=null: CAF 0.17's init_fun_factory binds a null reference, harmlessly.
  set(tutti_sanitizer_flags -fsanitize=address,undefined -fno-sanitize=null
      -fno-sanitize-recover=all -fno-omit-frame-pointer)
  list(APPEND tutti_compile_flags ${tutti_sanitizer_flags})
  list(APPEND tutti_link_flags ${tutti_sanitizer_flags})
endif()
if(TUTTI_TSAN)
  set(tutti_tsan_flags -fsanitize=thread -fno-omit-frame-pointer)
  # -Wno-tsan: Asio's fenced blocks use atomic_thread_fence, which TSan does not model; it
  # could only add false reports, and the run has none.
  list(APPEND tutti_compile_flags ${tutti_tsan_flags} -Wno-tsan)
  list(APPEND tutti_link_flags ${tutti_tsan_flags})
endif()
if(TUTTI_FUZZ)
  # Coverage for libFuzzer in every library; the fuzz executables add -fsanitize=fuzzer.
  set(tutti_fuzz_flags -fsanitize=address,undefined -fno-sanitize-recover=all
      -fno-omit-frame-pointer)
  list(APPEND tutti_compile_flags ${tutti_fuzz_flags} -fsanitize=fuzzer-no-link)
  list(APPEND tutti_link_flags ${tutti_fuzz_flags})
endif()

function(tutti_target_defaults target)
  target_compile_options(${target} PRIVATE ${tutti_compile_flags})
  target_link_options(${target} PRIVATE ${tutti_link_flags})
endfunction()

# An executable allocates with jemalloc (see TuttiDependencies.cmake) unless sanitized.
function(tutti_use_jemalloc target)
  if(TUTTI_JEMALLOC)
    target_link_libraries(${target} PRIVATE ${TUTTI_JEMALLOC})
  endif()
endfunction()

# tutti_add_library(NAME SOURCES... DEPENDS targets...): libs/NAME as target tutti_NAME with
# the alias tutti::NAME, public headers under include/, installed and exported as
# tutti::NAME.
function(tutti_add_library name)
  cmake_parse_arguments(arg "" "" "SOURCES;DEPENDS;PRIVATE_DEPENDS" ${ARGN})
  add_library(tutti_${name} ${arg_SOURCES})
  add_library(tutti::${name} ALIAS tutti_${name})
  set_target_properties(tutti_${name} PROPERTIES EXPORT_NAME ${name})
  target_include_directories(tutti_${name} PUBLIC
    $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include> $<INSTALL_INTERFACE:include>)
  target_link_libraries(tutti_${name} PUBLIC ${arg_DEPENDS} PRIVATE ${arg_PRIVATE_DEPENDS})
  # The headers are C++20: a program that uses them gets that standard with them.
  target_compile_features(tutti_${name} PUBLIC cxx_std_20)
  tutti_target_defaults(tutti_${name})
  install(TARGETS tutti_${name} EXPORT tuttiTargets)
  install(DIRECTORY include/ TYPE INCLUDE)
endfunction()
