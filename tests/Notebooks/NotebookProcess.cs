using System.Diagnostics;
using System.Text.Json;

namespace PruningLab.Tests.Notebooks;

/// <summary>Runs a notebook runner (ours or dotnet-repl) as a child process and reads what it wrote.</summary>
internal static class NotebookProcess
{
    public static string Root { get; } = CoursePaths.FindRoot(AppContext.BaseDirectory)
        ?? throw new InvalidOperationException("The tests must run inside the course clone (no Course.sln above the test binaries).");

    public static string NotebooksFolder => Path.Combine(Root, "notebooks");

    public static IEnumerable<object[]> Lessons() =>
        Directory.GetFiles(Path.Combine(Root, "notebooks"), "*.ipynb").Select(Path.GetFileName)
            .Where(name => name is not null && char.IsAsciiDigit(name[0])).Order(StringComparer.Ordinal).Select(name => new object[] { name! });

    /// <summary>The configuration these tests were built in (Debug or Release): the runner is built alongside.</summary>
    private static string Configuration => new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;

    public static string RunnerDll => Path.Combine(Root, "tools", "NotebookRunner", "bin", Configuration, "net10.0", "NotebookRunner.dll");

    public sealed record Result(int ExitCode, string Output, TimeSpan Elapsed);

    public static Result Run(string fileName, IEnumerable<string> arguments, string workingDirectory,
        IDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(fileName) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish within {timeout ?? TimeSpan.FromMinutes(10)}.");
        }
        process.WaitForExit();
        return new Result(process.ExitCode, stdout.Result + stderr.Result, clock.Elapsed);
    }

    /// <summary>Runs the notebook tool (release, grade, grade-result …) from the course's root.</summary>
    public static Result Tool(params string[] arguments)
    {
        Assert.True(File.Exists(RunnerDll), $"The notebook runner is not built at {RunnerDll}: run 'dotnet build Course.sln'.");
        return Run("dotnet", [RunnerDll, .. arguments], Root, timeout: TimeSpan.FromMinutes(15));
    }

    /// <summary>
    /// Writes the student release of the lessons into <c>.test-release/</c> at the course's root (one level down, like
    /// <c>notebooks/</c>, so that the lessons' relative <c>#r "../lib/…"</c> path resolves) and returns that folder.
    /// </summary>
    public static string WriteRelease()
    {
        var folder = Path.Combine(Root, ".test-release");
        var result = Tool("release", "--force", "--out", folder, NotebooksFolder);
        Assert.True(result.ExitCode == 0, $"release failed: {result.Output}");
        return folder;
    }

    /// <summary>Runs our in-process runner on one notebook, writing into <paramref name="outDir"/>.</summary>
    public static Result RunOurs(string notebookPath, string outDir, IDictionary<string, string>? environment = null)
    {
        Assert.True(File.Exists(RunnerDll), $"The notebook runner is not built at {RunnerDll}: run 'dotnet build Course.sln'.");
        return Run("dotnet", [RunnerDll, "--out", outDir, notebookPath], Root, environment);
    }

    /// <summary>The error outputs of an executed notebook: (cell index, first source line, error text).</summary>
    public static List<(int Cell, string FirstLine, string Error)> Errors(string executedNotebook)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(executedNotebook));
        var errors = new List<(int, string, string)>();
        var index = 0;
        foreach (var cell in document.RootElement.GetProperty("cells").EnumerateArray())
        {
            index++;
            if (!cell.TryGetProperty("outputs", out var outputs)) continue;
            foreach (var output in outputs.EnumerateArray())
                if (output.GetProperty("output_type").GetString() == "error")
                    errors.Add((index, FirstLine(cell), output.GetProperty("evalue").GetString() ?? ""));
        }
        return errors;
    }

    public static string Source(JsonElement cell) => cell.GetProperty("source") switch
    {
        { ValueKind: JsonValueKind.Array } lines => string.Concat(lines.EnumerateArray().Select(l => l.GetString())),
        var text => text.GetString() ?? "",
    };

    public static string FirstLine(JsonElement cell) =>
        Source(cell).Split('\n').FirstOrDefault(l => !string.IsNullOrWhiteSpace(l))?.Trim() ?? "";

    /// <summary>
    /// All text of all outputs: stream text and every MIME type's data, except the figure JSON of charts (which
    /// holds thousands of plotted numbers, not text a learner reads).
    /// </summary>
    public static string OutputText(string executedNotebook)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(executedNotebook));
        var text = new System.Text.StringBuilder();
        foreach (var cell in document.RootElement.GetProperty("cells").EnumerateArray())
        {
            if (!cell.TryGetProperty("outputs", out var outputs)) continue;
            foreach (var output in outputs.EnumerateArray())
            {
                if (output.TryGetProperty("text", out var t)) text.Append(Flatten(t)).Append('\n');
                if (output.TryGetProperty("data", out var data))
                    foreach (var mime in data.EnumerateObject().Where(m => m.Name != PlotlyMimeType))
                        text.Append(Flatten(mime.Value)).Append('\n');
            }
        }
        return text.ToString();
    }

    public const string PlotlyMimeType = "application/vnd.plotly.v1+json";

    /// <summary>How many outputs hold a plotly figure.</summary>
    public static int ChartCount(string executedNotebook)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(executedNotebook));
        return document.RootElement.GetProperty("cells").EnumerateArray()
            .Where(c => c.TryGetProperty("outputs", out _))
            .SelectMany(c => c.GetProperty("outputs").EnumerateArray())
            .Count(o => o.TryGetProperty("data", out var data) && data.TryGetProperty(PlotlyMimeType, out _));
    }

    /// <summary>The cells of a notebook file.</summary>
    public static List<JsonElement> Cells(string notebook)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(notebook));
        return document.RootElement.GetProperty("cells").EnumerateArray().Select(c => c.Clone()).ToList();
    }

    private static string Flatten(JsonElement value) => value.ValueKind == JsonValueKind.Array
        ? string.Concat(value.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText()))
        : value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
}
