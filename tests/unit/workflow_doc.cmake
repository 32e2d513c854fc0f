# Checks that docs/workflow-table.md is what tools/minhu-workflow-doc prints
# from the transition table of lib/core/workflow.c, byte for byte.
#
#   cmake -DTOOL=path/to/minhu-workflow-doc -DDOC=docs/workflow-table.md
#         -DOUT=generated/workflow-table.md -P workflow_doc.cmake
execute_process(COMMAND ${TOOL} OUTPUT_FILE ${OUT} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${TOOL} failed (${rc})")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUT} ${DOC} RESULT_VARIABLE differ)
if(NOT differ EQUAL 0)
  message(FATAL_ERROR "docs/workflow-table.md differs from the transition table in "
          "lib/core/workflow.c (see ${OUT}); regenerate it with\n"
          "  build/debug/minhu-workflow-doc > docs/workflow-table.md")
endif()
