"""core/tags on C/C++ as real code writes it: only definitions are definitions (not a type named
in a parameter, nor a local object)."""

from __future__ import annotations

import pytest

from readertui.core import tags
from readertui.core.tags import Definition, definitions


def named(defs: list[Definition], name: str) -> list[tuple[str, str, int, int]]:
    return [(d.qualified, d.kind, d.start, d.end) for d in defs if d.name == name]


C_TYPE_USES = b'''enum ggml_type { GGML_TYPE_F32, GGML_TYPE_F16 };
struct ggml_tensor { enum ggml_type type; };
union value { int i; float f; };
typedef enum ggml_type ggml_type_t;
size_t ggml_type_size(enum ggml_type type);
struct ggml_tensor * ggml_new_tensor(struct ggml_context * ctx, enum ggml_type type, int n);
union value pick(union value v);
union value last;
static int f(void) {
    enum ggml_type t = GGML_TYPE_F32;
    union value v;
    struct ggml_tensor *p = 0;
    extern int getmsg();
    return t;
}
'''


@pytest.mark.parametrize("language", ["c", "cpp"])
def test_c_types_named_in_parameters_and_declarations_are_not_definitions(language: str) -> None:
    defs = definitions(C_TYPE_USES, language)
    assert named(defs, "ggml_type") == [("ggml_type", "type", 1, 1)]
    assert named(defs, "ggml_tensor") == [("ggml_tensor", "class", 2, 2)]
    assert named(defs, "value") == [("value", "class", 3, 3)]
    assert named(defs, "ggml_type_t") == [("ggml_type_t", "type", 4, 4)]
    assert [d.name for d in defs if d.kind == "prototype"] == ["ggml_type_size", "ggml_new_tensor", "pick"]
    assert named(defs, "f") == [("f", "function", 9, 15)]
    assert named(defs, "getmsg") == []  # a block-scope declaration


CPP_LOCALS = b'''struct llama_batch_allocr {
    llama_batch_allocr(llama_context & ctx, struct llama_batch in_batch);
};
class llama_context;
enum class llama_kind : int;
int llama_decode_internal(llama_context & lctx, llama_batch inp_batch);
namespace ns { int helper(class llama_context * ctx); }

static int llama_decode_internal(llama_context & lctx, llama_batch inp_batch) {
    llama_batch_allocr batch_allocr(lctx, inp_batch);
    std::lock_guard<std::mutex> lock(mutex);
    if (lctx.n) {
        std::vector<float> buf(16);
    }
    struct local { int method(int); };
    return 0;
}
'''


@pytest.mark.parametrize("language", ["cpp", "cuda"])
def test_cpp_local_objects_and_forward_declarations_are_not_definitions(language: str) -> None:
    defs = definitions(CPP_LOCALS, language)
    got = [(d.qualified, d.kind, d.start, d.end) for d in defs]
    assert got == [
        ("llama_batch_allocr", "class", 1, 3),
        ("llama_batch_allocr.llama_batch_allocr", "prototype", 2, 2),
        ("llama_decode_internal", "prototype", 6, 6),
        ("ns", "module", 7, 7),
        ("ns.helper", "prototype", 7, 7),
        ("llama_decode_internal", "function", 9, 17),
        ("llama_decode_internal.local", "class", 15, 15),
        ("llama_decode_internal.local.method", "prototype", 15, 15),  # class scope, inside a function
    ]


# libstdc++'s shape: an unexpanded macro before `namespace filesystem {` makes tree-sitter read a
# function definition whose "body" is the namespace; the prototypes in it stay prototypes.
LIBSTDCXX = b'''namespace std _GLIBCXX_VISIBILITY(default)
{
_GLIBCXX_BEGIN_NAMESPACE_VERSION

namespace filesystem
{
  [[nodiscard]]
  bool is_empty(const path& __p);
}
_GLIBCXX_END_NAMESPACE_VERSION
}
'''


@pytest.mark.parametrize("language", ["c", "cpp"])
def test_prototypes_in_a_body_made_up_by_error_recovery_are_kept(language: str) -> None:
    # C reads `_GLIBCXX_VISIBILITY(default) {…}` as the function, C++ `namespace filesystem {…}`.
    got = [(d.kind, d.start, d.end) for d in definitions(LIBSTDCXX, language) if d.name == "is_empty"]
    assert got == [("prototype", 7, 8)]


@pytest.mark.parametrize(
    ("source", "language"),
    [(CPP_LOCALS, "cpp"), (C_TYPE_USES, "c"), (LIBSTDCXX, "c")],
)
def test_matching_window_by_window_changes_nothing(
    source: bytes, language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = tags.extract(source, language)
    monkeypatch.setattr(tags, "_MATCH_WINDOW", 16)
    assert tags.extract(source, language) == whole
