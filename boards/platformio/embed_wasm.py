# PlatformIO pre-build script shared by boards/esp32 and boards/nrf52: copies the embedded
# module made by `make board-sources` (build/boards/embed/dtls_wasm.{c,h}, from
# build/dtls.wasm via boards/tools/embed.mjs) into the project, so the firmware carries the
# exact module CI tested. The module is data: swapping it needs no change to the C.
import os
import shutil

Import("env")  # noqa: F821 - provided by PlatformIO

project = env.subst("$PROJECT_DIR")  # noqa: F821
embed = os.path.normpath(os.path.join(project, "..", "..", "build", "boards", "embed"))
for name, dest in (("dtls_wasm.h", "include"), ("dtls_wasm.c", "src")):
    src = os.path.join(embed, name)
    if not os.path.exists(src):
        raise SystemExit(f"{src} is missing: run `make board-sources` at the repository root first")
    os.makedirs(os.path.join(project, dest), exist_ok=True)
    shutil.copyfile(src, os.path.join(project, dest, name))
