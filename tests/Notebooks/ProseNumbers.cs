using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace PruningLab.Tests.Notebooks;

/// <summary>
/// The numbers a lesson's prose states: each must be printed by one of its cells, or be a quoted constant (a setting of
/// the course, a figure from the literature) listed with its source in the notebook's metadata
/// (<c>metadata.pruninglab.quoted</c>). So a measured number cannot sit in the text without a cell that prints it.
/// </summary>
internal static partial class ProseNumbers
{
    // A number: digits with optional thousands separators and decimals, not part of a word (fc1, 2D) or of a longer number.
    [GeneratedRegex(@"(?<![\w.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w])|(?<![\w.,])\d+(?:\.\d+)?(?![\w,]\d)(?!\w)")]
    private static partial Regex Number();

    // What is not a stated number: headings, code, tags, exercise and section references, list markers, citation years.
    [GeneratedRegex(@"^#.*$|`[^`]*`|<[^>]+>|\b(?:Exercises?|Hints?|[Ll]essons?|[Ss]ections?|[Ss]ection|§)\s*\d+(?:\.\d+)?(?:\s*[–-]\s*\d+(?:\.\d+)?)?|^\s*\d+\.\s|\((?:[^()]*?,\s*)?(?:19|20)\d\d[a-z]?\)|\b(?:19|20)\d\d\b|\*\*Contents\.\*\*.*?(?:\n\n|$)", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex NotStated();

    /// <summary>The numbers of the prose of <paramref name="notebook"/> that neither its outputs nor its quoted constants contain.</summary>
    public static List<string> Unprinted(string notebook, string executed)
    {
        var cells = NotebookProcess.Cells(notebook);
        var prose = string.Join("\n\n", cells.Where(c => c.GetProperty("cell_type").GetString() == "markdown").Select(NotebookProcess.Source));
        var printed = Numbers(NotebookProcess.OutputText(executed)).ToHashSet();
        using var document = JsonDocument.Parse(File.ReadAllText(notebook));
        var quoted = document.RootElement.GetProperty("metadata").TryGetProperty("pruninglab", out var lab) && lab.TryGetProperty("quoted", out var q)
            ? q.EnumerateObject().Select(p => Normalise(p.Name)).ToHashSet()
            : [];
        return Number().Matches(NotStated().Replace(prose, " ")).Select(m => m.Value)
            .Where(n => !printed.Contains(Normalise(n)) && !quoted.Contains(Normalise(n))).Distinct().ToList();
    }

    private static IEnumerable<string> Numbers(string text) => Number().Matches(text).Select(m => Normalise(m.Value));

    // 60,000 → 60000; 0.50 → 0.5; 50.0 → 50.
    private static string Normalise(string number) =>
        decimal.TryParse(number.Replace(",", ""), NumberStyles.Number, CultureInfo.InvariantCulture, out var value)
            ? value.ToString("G29", CultureInfo.InvariantCulture)
            : number;
}
