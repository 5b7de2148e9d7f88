# Desktop integration and the Debian package.
#
#   cpack -G DEB            (in the build tree, after building) → kiln_<version>_<arch>.deb
#   sudo apt install ./kiln_<version>_<arch>.deb
#
# The package holds what the install() rules name: the three programs, and for the desktop app
# its .desktop entry, AppStream metadata, MIME type for model bundles and icon. Libraries are
# static and tests have no install rules, so neither is packaged. tests/packaging checks it all.

# One id names the .desktop entry (QGuiApplication::desktopFileName must match it, or Wayland
# compositors and docks show no icon), the AppStream component, the MIME package and the icon.
set(KILN_APP_ID io.github.kiln.Kiln)
# The date of the release PROJECT_VERSION names, for AppStream: bump it with the version.
set(KILN_RELEASE_DATE 2026-11-28)
set(KILN_HOMEPAGE_URL "https://github.com/kiln/kiln" CACHE STRING "Kiln's home page (AppStream, Debian)")
set(KILN_PROJECT_LICENSE "LicenseRef-proprietary" CACHE STRING "Kiln's licence as an SPDX expression (AppStream)")
set(KILN_PACKAGE_MAINTAINER "The Kiln developers <kiln@users.noreply.github.com>"
    CACHE STRING "Maintainer of the Debian package")

if(TARGET kiln)
  target_compile_definitions(kiln PRIVATE KILN_APP_ID="${KILN_APP_ID}")

  set(resources ${PROJECT_SOURCE_DIR}/resources)
  configure_file(${resources}/${KILN_APP_ID}.metainfo.xml.in
                 ${PROJECT_BINARY_DIR}/desktop/${KILN_APP_ID}.metainfo.xml @ONLY)
  install(FILES ${resources}/${KILN_APP_ID}.desktop DESTINATION share/applications)
  install(FILES ${PROJECT_BINARY_DIR}/desktop/${KILN_APP_ID}.metainfo.xml DESTINATION share/metainfo)
  install(FILES ${resources}/${KILN_APP_ID}.mime.xml DESTINATION share/mime/packages RENAME ${KILN_APP_ID}.xml)
  install(FILES ${resources}/icons/kiln.svg DESTINATION share/icons/hicolor/scalable/apps
          RENAME ${KILN_APP_ID}.svg)

  # Menus, docks and software centres that want bitmaps get them rendered from the same SVG.
  find_program(KILN_RSVG_CONVERT rsvg-convert)
  if(KILN_RSVG_CONVERT)
    set(KILN_ICON_SIZES 32 48 64 128 256)
    set(pngs)
    foreach(size IN LISTS KILN_ICON_SIZES)
      set(png ${PROJECT_BINARY_DIR}/desktop/icons/${size}/${KILN_APP_ID}.png)
      add_custom_command(OUTPUT ${png}
        COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/desktop/icons/${size}
        COMMAND ${KILN_RSVG_CONVERT} --width=${size} --height=${size} --output=${png} ${resources}/icons/kiln.svg
        DEPENDS ${resources}/icons/kiln.svg
        COMMENT "Rendering the ${size}x${size} app icon"
        VERBATIM)
      list(APPEND pngs ${png})
      install(FILES ${png} DESTINATION share/icons/hicolor/${size}x${size}/apps)
    endforeach()
    add_custom_target(kiln_desktop_icons DEPENDS ${pngs})
    add_dependencies(kiln kiln_desktop_icons)
  else()
    set(KILN_ICON_SIZES)
    message(STATUS "rsvg-convert not found (librsvg2-bin): the package gets the SVG icon only")
  endif()
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME kiln)
set(CPACK_PACKAGE_VENDOR "The Kiln developers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
# Debian wants the long description in lines under 80 columns.
string(JOIN "\n" CPACK_PACKAGE_DESCRIPTION
  "Kiln imports data, trains models, compares runs, registers model versions"
  "and deploys them, on your own machine and offline. It opens MLflow tracking"
  "folders and databases."
  "This package holds the desktop app (kiln), the command-line tool (kilnctl)"
  "and the serving agent (kiln-serve).")
set(CPACK_PACKAGE_HOMEPAGE_URL "${KILN_HOMEPAGE_URL}")
set(CPACK_PACKAGE_CONTACT "${KILN_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${KILN_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# dpkg-shlibdeps turns the programs' libraries (Qt, libarchive, XGBoost, yaml-cpp, libpq...)
# into Depends; libqt6svg6, which also holds the SVG icon engine Qt loads at run time, among
# them. Plugins no program links are recommended: Wayland, and the GTK theme that gives Qt
# the desktop's light or dark palette.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "qt6-wayland, qt6-gtk-platformtheme")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "python3")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# gzip: xz would take most of the packaging test's time on a two-core CI machine.
set(CPACK_DEBIAN_COMPRESSION_TYPE gzip)
include(CPack)
