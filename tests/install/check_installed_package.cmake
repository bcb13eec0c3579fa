# Installs tutti into a fresh prefix, then configures, builds and runs examples/embed against
# that installed package, so that the package cannot silently break.
# Variables: BUILD_DIR (this build), SOURCE_DIR (the repository), WORK_DIR (scratch).
file(REMOVE_RECURSE ${WORK_DIR})

function(step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT code EQUAL 0)
    message(FATAL_ERROR "${what} failed (${code}):\n${out}\n${err}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

step("install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK_DIR}/prefix)
step("configure the example" ${CMAKE_COMMAND} -S ${SOURCE_DIR}/examples/embed
     -B ${WORK_DIR}/build -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix -DCMAKE_BUILD_TYPE=Release)
step("build the example" ${CMAKE_COMMAND} --build ${WORK_DIR}/build)
step("run the example" ${WORK_DIR}/build/embed)
foreach(expected "synthesis: finished, success" "security: token" "status: completed")
  string(FIND "${step_output}" "${expected}" found)
  if(found EQUAL -1)
    message(FATAL_ERROR "the example's output lacks '${expected}':\n${step_output}")
  endif()
endforeach()
file(REMOVE_RECURSE ${WORK_DIR})
