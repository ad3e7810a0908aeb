"""Which face runs an action, and the input fields that name a file on the machine it runs on.

A file path is a notion of the person at the shell: from the CLI (or Python on their own machine) it
names their file. From the web, a workflow or an automated caller it would name a file on the *server*,
chosen by whoever sends the request. So action input models declare such fields as `LocalPath` (their
JSON Schema carries `"x-local-path": true`), the runner is told which face calls it, and validation
refuses a `LocalPath` value for every face that is not local. A new face gets the same guard by
naming itself, with nothing to remember per action.

Whatever the face, nothing is ever written inside Headwater's own package (`package_files`).
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from pydantic import AfterValidator, Field, ValidationInfo
from pydantic_core import PydanticCustomError

from headwater.package_files import PACKAGE_ROOT, inside_package

#: the JSON Schema keyword that marks a field naming a local file
LOCAL_PATH_MARK = "x-local-path"
#: the key of the validation context that names the calling face
FACE_CONTEXT = "face"


class Face(Enum):
    """Who runs an action; only the local ones may name files."""

    CLI = "cli"
    PYTHON = "python"  # the Python API, in the caller's own process
    WORKFLOW = "workflow"  # a stored workflow, possibly uploaded over the web, run by a server
    WEB = "web"  # the REST API and the dashboard
    MCP = "mcp"

    @property
    def local_files(self) -> bool:
        return self in (Face.CLI, Face.PYTHON)


def _check_local_path(value: str, info: ValidationInfo) -> str:
    context = info.context if isinstance(info.context, dict) else {}
    face = context.get(FACE_CONTEXT)
    if isinstance(face, Face) and not face.local_files:
        raise PydanticCustomError(
            "local_path_refused",
            "a file path is taken from the command line only, never from the {face} face: leave it out "
            "and the rows come back in the answer",
            {"face": face.value},
        )
    if inside_package(value):
        raise PydanticCustomError(
            "package_path_refused",
            "Headwater never writes inside its own installed package ({root}); choose another folder",
            {"root": str(PACKAGE_ROOT)},
        )
    return value


#: a field naming a file on the machine that runs the action
LocalPath = Annotated[
    str, AfterValidator(_check_local_path), Field(json_schema_extra={LOCAL_PATH_MARK: True})
]


def validation_context(face: Face | None) -> dict[str, Any] | None:
    return None if face is None else {FACE_CONTEXT: face}
