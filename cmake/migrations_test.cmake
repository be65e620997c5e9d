# Tests the generator of cmake/migrations.cmake: the SQL reaches the C++ byte for byte, and a
# malformed migrations folder fails the build with a message that says what is wrong.
# Usage: cmake -DWORK=<scratch dir> -P migrations_test.cmake
set(generator ${CMAKE_CURRENT_LIST_DIR}/migrations.cmake)
file(REMOVE_RECURSE ${WORK})

# Runs the generator on WORK/<case> holding the files ARGN; sets `result`, `error` and
# `source` (the generated text) in the caller.
function(generate case)
  string(REPLACE ";" "|" files "${ARGN}")
  execute_process(
    COMMAND ${CMAKE_COMMAND} -DDIR=${WORK}/${case} -DFILES=${files} -DFUNCTION=test::Schema
            -DHEADER=test.h -DOUT=${WORK}/${case}.cc -P ${generator}
    RESULT_VARIABLE result ERROR_VARIABLE error)
  set(source "")
  if(EXISTS ${WORK}/${case}.cc)
    file(READ ${WORK}/${case}.cc source)
  endif()
  set(result "${result}" PARENT_SCOPE)
  set(error "${error}" PARENT_SCOPE)
  set(source "${source}" PARENT_SCOPE)
endfunction()

function(expect_failure case message)
  generate(${case} ${ARGN})
  string(REGEX REPLACE "[ \n]+" " " error "${error}")  # CMake wraps messages
  string(FIND "${error}" "${message}" at)
  if(result EQUAL 0 OR at EQUAL -1)
    message(FATAL_ERROR "${case}: expected a failure saying \"${message}\", got: ${error}")
  endif()
endfunction()

function(expect_in_source case text)
  string(FIND "${source}" "${text}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${case}: the generated source lacks \"${text}\":\n${source}")
  endif()
endfunction()

# One text per engine, then one for both (without a final newline, as a one-line migration is
# kept); the blank line after the comments is the SQL's first line.
file(WRITE ${WORK}/good/0001_first.sqlite.sql "-- name: first, \"quoted\"\n-- Why.\n\nA;\n")
file(WRITE ${WORK}/good/0001_first.postgres.sql "-- name: first, \"quoted\"\n\nB;\n")
file(WRITE ${WORK}/good/0002_second.sql "-- name: second\n--\n-- Why.\nC")
generate(good 0001_first.postgres.sql 0001_first.sqlite.sql 0002_second.sql)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "good: the generator failed: ${error}")
endif()
expect_in_source(good "namespace test {")
expect_in_source(good "// 0001_first.sqlite.sql
constexpr std::string_view k1Sqlite = R\"nexus_sql(\nA;\n)nexus_sql\";
// 0001_first.postgres.sql
constexpr std::string_view k1Postgres = R\"nexus_sql(\nB;\n)nexus_sql\";
// 0002_second.sql
constexpr std::string_view k2 = R\"nexus_sql(C)nexus_sql\";")
expect_in_source(good "
    {1, R\"nexus_sql(first, \"quoted\")nexus_sql\", k1Sqlite, k1Postgres},
    {2, R\"nexus_sql(second)nexus_sql\", k2, k2},
};")

file(WRITE ${WORK}/bad_name/6_agents.sql "-- name: agents\nA")
expect_failure(bad_name "bad file name 6_agents.sql" 6_agents.sql)

file(WRITE ${WORK}/version_zero/0000_none.sql "-- name: none\nA")
expect_failure(version_zero "versions start at 0001" 0000_none.sql)

file(WRITE ${WORK}/no_name/0001_a.sql "-- Why, but no name.\n\nA;\n")
expect_failure(no_name "0001_a.sql does not open with `-- name: <name>`" 0001_a.sql)

file(WRITE ${WORK}/no_sql/0001_a.sql "-- name: a\n\n")
expect_failure(no_sql "0001_a.sql holds no SQL" 0001_a.sql)

file(WRITE ${WORK}/duplicate/0001_a.sql "-- name: a\nA")
file(WRITE ${WORK}/duplicate/0001_b.sql "-- name: b\nB")
expect_failure(duplicate "duplicate version 1: 0001_a.sql and 0001_b.sql" 0001_a.sql 0001_b.sql)

file(WRITE ${WORK}/duplicate_engine/0001_a.sql "-- name: a\nA")
file(WRITE ${WORK}/duplicate_engine/0001_a.sqlite.sql "-- name: a\nA")
expect_failure(duplicate_engine "duplicate version 1" 0001_a.sql 0001_a.sqlite.sql)

file(WRITE ${WORK}/sqlite_alone/0001_a.sqlite.sql "-- name: a\nA")
expect_failure(sqlite_alone "0001_a.sqlite.sql has no 0001_a.postgres.sql" 0001_a.sqlite.sql)

file(WRITE ${WORK}/postgres_alone/0001_a.postgres.sql "-- name: a\nA")
expect_failure(postgres_alone "0001_a.postgres.sql has no 0001_a.sqlite.sql"
               0001_a.postgres.sql)

file(WRITE ${WORK}/names_differ/0001_a.sqlite.sql "-- name: a\nA")
file(WRITE ${WORK}/names_differ/0001_a.postgres.sql "-- name: b\nB")
expect_failure(names_differ "name migration 1 differently" 0001_a.postgres.sql
               0001_a.sqlite.sql)

file(WRITE ${WORK}/delimiter/0001_a.sql "-- name: a\nSELECT ')nexus_sql\"'")
expect_failure(delimiter "would end its string" 0001_a.sql)

expect_failure(empty "no NNNN_what.sql files")
