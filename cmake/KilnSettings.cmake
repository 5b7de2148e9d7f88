# One interface target carries the compile settings every Kiln target shares.
add_library(kiln_settings INTERFACE)
target_compile_features(kiln_settings INTERFACE cxx_std_17)
target_compile_definitions(kiln_settings INTERFACE
  QT_NO_CAST_FROM_ASCII
  QT_NO_CAST_TO_ASCII
  QT_NO_CAST_FROM_BYTEARRAY
  QT_NO_URL_CAST_FROM_STRING
  QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
  QT_NO_FOREACH
  QT_NO_KEYWORDS
  QT_USE_QSTRINGBUILDER
  QT_DISABLE_DEPRECATED_BEFORE=0x060400
  KILN_VERSION="${PROJECT_VERSION}")
target_compile_options(kiln_settings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
  -Wcast-qual -Wformat=2 -Wimplicit-fallthrough)
if(KILN_WARNINGS_AS_ERRORS)
  target_compile_options(kiln_settings INTERFACE -Werror)
endif()
