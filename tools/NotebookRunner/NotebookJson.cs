using System.Text.Encodings.Web;
using System.Text.Json;

namespace PruningLab.NotebookRunner;

/// <summary>How notebooks are written: indented like Jupyter's files, with text left readable (no \u escapes of quotes,
/// arrows or accented letters), which also keeps executed lessons small.</summary>
public static class NotebookJson
{
    /// <summary>The serializer options for .ipynb files.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true,
        IndentSize = 1,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
