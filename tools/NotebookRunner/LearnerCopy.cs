using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PruningLab.NotebookRunner;

/// <summary>
/// Turns a lesson into the learner's copy: every region between <c>// BEGIN SOLUTION</c> and <c>// END SOLUTION</c>
/// becomes a stub that throws <see cref="NotImplementedException"/>, so the check cell after it prints ✗ with a hint.
/// </summary>
public static partial class LearnerCopy
{
    /// <summary>The statement that replaces a solution.</summary>
    public const string Stub = "throw new NotImplementedException(\"Exercise: replace this line with your code.\");";

    [GeneratedRegex(@"^(?<indent>[ \t]*)// BEGIN SOLUTION[^\n]*\n.*?^[ \t]*// END SOLUTION[^\n]*(\n|$)", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Solution();

    /// <summary>Replaces the solution regions of one cell's source; returns how many were replaced.</summary>
    public static (string Source, int Replaced) StubSource(string source)
    {
        var count = 0;
        var result = Solution().Replace(source, match =>
        {
            count++;
            var indent = match.Groups["indent"].Value;
            return $"{indent}// YOUR CODE HERE\n{indent}{Stub}\n";
        });
        return (result, count);
    }

    /// <summary>Replaces every solution region of a notebook (nbformat 4 JSON); returns the number replaced.</summary>
    public static int StubNotebook(JsonObject notebook)
    {
        var total = 0;
        foreach (var cell in notebook["cells"]!.AsArray())
        {
            if (cell!["cell_type"]!.GetValue<string>() != "code") continue;
            var source = cell["source"] is JsonArray sourceLines ? string.Concat(sourceLines.Select(l => l!.GetValue<string>())) : cell["source"]?.GetValue<string>() ?? "";
            var (stubbed, replaced) = StubSource(source);
            if (replaced == 0) continue;
            total += replaced;
            // nbformat's convention: a list of lines, each but the last ending with a newline.
            var lines = stubbed.Split('\n');
            cell["source"] = new JsonArray(lines.Select((line, i) => (JsonNode?)JsonValue.Create(i < lines.Length - 1 ? line + "\n" : line)).ToArray());
        }
        return total;
    }
}
