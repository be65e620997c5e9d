# A module's schema migrations, kept as SQL files in its folder and compiled into the function
# that lists them (storage/migration.h; vfs::Schema(), services::AgentsSchema(), ...). Included
# by the top CMakeLists.txt for nexus_migrations(); run with -P by the build to generate it.
#
# A migration is one file, migrations/NNNN_what.sql, or two when the engines need different
# text: NNNN_what.sqlite.sql and NNNN_what.postgres.sql. NNNN is the version, from 0001 up.
# The file opens with a block of `--` lines: the first is `-- name: <name>`, the name the
# database records in schema_migrations; the others say why. The rest of the file is the SQL
# handed to the engine, byte for byte, so a released migration's text stays what it was.

if(NOT CMAKE_SCRIPT_MODE_FILE)
  # nexus_migrations(<target> FUNCTION <ns>::<name> HEADER <include> [DIR <dir>]): adds to
  # <target> a generated source defining `std::span<const storage::Migration> <ns>::<name>()`,
  # declared in HEADER, from DIR/*.sql (DIR defaults to migrations, beside the calling
  # CMakeLists.txt).
  function(nexus_migrations target)
    cmake_parse_arguments(M "" "FUNCTION;HEADER;DIR" "" ${ARGN})
    if(NOT M_FUNCTION MATCHES "^[A-Za-z_][A-Za-z0-9_:]*::[A-Za-z_][A-Za-z0-9_]*$" OR NOT M_HEADER)
      message(FATAL_ERROR "nexus_migrations(${target}): FUNCTION <namespace>::<name> and HEADER "
                          "are required")
    endif()
    if(NOT M_DIR)
      set(M_DIR migrations)
    endif()
    cmake_path(ABSOLUTE_PATH M_DIR BASE_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR} OUTPUT_VARIABLE dir)
    # CONFIGURE_DEPENDS: a file added or removed re-runs the glob, and the file list is on the
    # command line, so the source is generated again.
    file(GLOB files CONFIGURE_DEPENDS RELATIVE ${dir} ${dir}/*.sql)
    list(SORT files)
    list(TRANSFORM files PREPEND ${dir}/ OUTPUT_VARIABLE paths)
    string(REPLACE ";" "|" file_list "${files}")
    set(out ${CMAKE_CURRENT_BINARY_DIR}/${target}_migrations.cc)
    add_custom_command(
      OUTPUT ${out}
      COMMAND ${CMAKE_COMMAND} -DDIR=${dir} -DFILES=${file_list} -DFUNCTION=${M_FUNCTION}
              -DHEADER=${M_HEADER} -DOUT=${out} -P ${CMAKE_CURRENT_FUNCTION_LIST_FILE}
      DEPENDS ${paths} ${CMAKE_CURRENT_FUNCTION_LIST_FILE}
      COMMENT "Generating ${target}'s migrations from ${dir}"
      VERBATIM)
    target_sources(${target} PRIVATE ${out})
  endfunction()
  return()
endif()

# Script mode: -DDIR=<dir> -DFILES=<a.sql|b.sql|...> -DFUNCTION=<ns>::<name> -DHEADER=<include>
# -DOUT=<file.cc>.
string(REGEX REPLACE "::[^:]+$" "" namespace "${FUNCTION}")
string(REGEX REPLACE "^.*::" "" function_name "${FUNCTION}")

# Closes every raw string literal of the output; a file holding it is refused.
set(delimiter "nexus_sql")

# Fails the build; the message may come in several strings.
function(fail)
  string(CONCAT message ${ARGV})
  message(FATAL_ERROR "migrations in ${DIR}: ${message}")
endfunction()

# Sets <prefix>_name and <prefix>_sql from the file: the `-- name:` line, and the text after
# the comment block.
function(read_migration file prefix)
  file(READ ${DIR}/${file} text)
  set(name "")
  set(first TRUE)
  while(text MATCHES "^(--[^\n]*)\n?")
    set(line "${CMAKE_MATCH_1}")
    string(LENGTH "${CMAKE_MATCH_0}" length)
    string(SUBSTRING "${text}" ${length} -1 text)
    if(first AND line MATCHES "^-- name: (.+)$")
      set(name "${CMAKE_MATCH_1}")
    endif()
    set(first FALSE)
  endwhile()
  if(name STREQUAL "")
    fail("${file} does not open with `-- name: <name>`, the name recorded in schema_migrations")
  endif()
  if(NOT text MATCHES "[^ \t\r\n]")
    fail("${file} holds no SQL after its comments")
  endif()
  string(FIND "${name}${text}" ")${delimiter}\"" at)
  if(NOT at EQUAL -1)
    fail("${file} holds )${delimiter}\", which would end its string in the generated C++")
  endif()
  set(${prefix}_name "${name}" PARENT_SCOPE)
  set(${prefix}_sql "${text}" PARENT_SCOPE)
endfunction()

string(REPLACE "|" ";" FILES "${FILES}")
if(NOT FILES)
  fail("no NNNN_what.sql files")
endif()

# Files by version: v<N>_any (one text for both engines), v<N>_sqlite, v<N>_postgres.
set(versions "")
foreach(file IN LISTS FILES)
  if(NOT file MATCHES "^([0-9][0-9][0-9][0-9])_([a-z0-9_]+)(\\.sqlite|\\.postgres|)\\.sql$")
    fail("bad file name ${file}: a migration is NNNN_what.sql, or NNNN_what.sqlite.sql with "
         "NNNN_what.postgres.sql (NNNN its version from 0001, what in [a-z0-9_])")
  endif()
  set(engine any)
  if(CMAKE_MATCH_3)
    string(SUBSTRING "${CMAKE_MATCH_3}" 1 -1 engine)
  endif()
  math(EXPR version "${CMAKE_MATCH_1}")  # decimal: leading zeros are not octal here
  if(version EQUAL 0)
    fail("${file}: versions start at 0001 (a database without migrations records 0)")
  endif()
  if(engine STREQUAL "any")
    set(clashes any sqlite postgres)
  else()
    set(clashes any ${engine})
  endif()
  foreach(clash IN LISTS clashes)
    if(DEFINED v${version}_${clash})
      fail("duplicate version ${version}: ${v${version}_${clash}} and ${file}")
    endif()
  endforeach()
  set(v${version}_${engine} ${file})
  list(APPEND versions ${version})
endforeach()
list(REMOVE_DUPLICATES versions)
list(SORT versions COMPARE NATURAL)

# Appends to `texts` the constant <constant> holding <sql>, after a comment naming its file.
function(add_text constant file sql)
  string(APPEND texts "// ${file}\n"
         "constexpr std::string_view ${constant} = R\"${delimiter}(${sql})${delimiter}\";\n")
  set(texts "${texts}" PARENT_SCOPE)
endfunction()

# Each text once, then the list that names them.
set(texts "")
set(entries "")
foreach(version IN LISTS versions)
  if(DEFINED v${version}_any)
    read_migration(${v${version}_any} m)
    add_text(k${version} ${v${version}_any} "${m_sql}")
    set(sqlite k${version})
    set(postgres k${version})
  else()
    if(NOT DEFINED v${version}_sqlite)
      string(REGEX REPLACE "postgres\\.sql$" "sqlite.sql" pair ${v${version}_postgres})
      fail("${v${version}_postgres} has no ${pair} beside it: each engine needs its text")
    endif()
    string(REGEX REPLACE "sqlite\\.sql$" "postgres.sql" pair ${v${version}_sqlite})
    if(NOT DEFINED v${version}_postgres OR NOT v${version}_postgres STREQUAL pair)
      fail("${v${version}_sqlite} has no ${pair} beside it: each engine needs its text")
    endif()
    read_migration(${v${version}_sqlite} m)
    read_migration(${v${version}_postgres} p)
    if(NOT m_name STREQUAL p_name)
      fail("${v${version}_sqlite} and ${v${version}_postgres} name migration ${version} "
           "differently (\"${m_name}\", \"${p_name}\")")
    endif()
    set(sqlite k${version}Sqlite)
    set(postgres k${version}Postgres)
    add_text(${sqlite} ${v${version}_sqlite} "${m_sql}")
    add_text(${postgres} ${v${version}_postgres} "${p_sql}")
  endif()
  string(APPEND entries
         "    {${version}, R\"${delimiter}(${m_name})${delimiter}\", ${sqlite}, ${postgres}},\n")
endforeach()

file(WRITE ${OUT}.tmp "// Generated by cmake/migrations.cmake from ${DIR}. Do not edit.
#include \"${HEADER}\"

#include <string_view>

namespace ${namespace} {
namespace {

${texts}
constexpr storage::Migration kMigrations[] = {
${entries}};

}  // namespace

std::span<const storage::Migration> ${function_name}() { return kMigrations; }

}  // namespace ${namespace}
")
# Unchanged output (a comment edited) leaves the module's objects as they are.
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUT}.tmp)
