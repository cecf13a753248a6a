using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;

namespace PruningLab.NotebookRunner;

/// <summary>
/// Runs one .ipynb top to bottom in an in-process C# kernel (the engine of Polyglot Notebooks) and writes a copy
/// with every cell's outputs, in nbformat 4, so that Jupyter, VS Code and GitHub can show it.
/// </summary>
public static class NotebookExecutor
{
    /// <summary>Executes <paramref name="path"/>; stops at the first failing cell; writes the executed copy to <paramref name="outputPath"/>.</summary>
    /// <param name="path">The notebook.</param>
    /// <param name="outputPath">Where the executed copy goes.</param>
    /// <param name="options">Whether to go on after a failing cell, and what to tell about each cell (for the grader).</param>
    public static async Task<NotebookReport> RunAsync(string path, string outputPath, ExecutionOptions? options = null)
    {
        options ??= new ExecutionOptions();
        var document = JsonNode.Parse(await File.ReadAllTextAsync(path))!.AsObject();
        var cells = document["cells"]!.AsArray();
        var previousDirectory = Directory.GetCurrentDirectory();
        // Relative #r paths in the set-up cell resolve against the notebook's folder, as in VS Code and Jupyter.
        Directory.SetCurrentDirectory(Path.GetDirectoryName(path)!);
        var clock = Stopwatch.StartNew();
        CellFailure? failure = null;
        var cellTimes = new List<double>();
        var executed = 0;
        try
        {
            using var kernel = CreateKernel();
            var index = 0;
            foreach (var cell in cells)
            {
                index++;
                if (cell!["cell_type"]!.GetValue<string>() != "code") continue;
                var source = SourceOf(cell);
                var outputs = new JsonArray();
                cell["outputs"] = outputs;
                if (string.IsNullOrWhiteSpace(source)) { cell["execution_count"] = null; continue; }
                executed++;
                cell["execution_count"] = executed;
                options.CellStarting?.Invoke(index - 1);
                var cellClock = Stopwatch.StartNew();
                var error = await ExecuteAsync(kernel, source, outputs);
                cellTimes.Add(cellClock.Elapsed.TotalSeconds);
                cell["metadata"] ??= new JsonObject();
                cell["metadata"]!["execution_seconds"] = Math.Round(cellClock.Elapsed.TotalSeconds, 3);
                options.CellFinished?.Invoke(index - 1, outputs, error, cellClock.Elapsed.TotalSeconds);
                if (error is not null)
                {
                    failure ??= new CellFailure(index, FirstLine(source), error);
                    if (!options.KeepGoing) break;
                }
            }
        }
        finally
        {
            Directory.SetCurrentDirectory(previousDirectory);
        }
        var seconds = clock.Elapsed.TotalSeconds;
        document["metadata"] ??= new JsonObject();
        document["metadata"]!["pruninglab_run"] = new JsonObject
        {
            ["seconds"] = Math.Round(seconds, 2),
            ["runner"] = "PruningLab.NotebookRunner (in-process .NET Interactive C# kernel)",
            ["machine"] = $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}",
        };
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outputPath))!);
        await File.WriteAllTextAsync(outputPath, document.ToJsonString(NotebookJson.Options));
        return new NotebookReport(Path.GetFileName(path), executed, Math.Round(seconds, 2), failure, cellTimes);
    }

    /// <summary>The source of a code cell (nbformat stores it as one string or as a list of lines).</summary>
    public static string SourceOf(JsonNode cell) => cell["source"] switch
    {
        JsonArray lines => string.Concat(lines.Select(l => l!.GetValue<string>())),
        JsonValue text => text.GetValue<string>(),
        _ => "",
    };

    /// <summary>Sets a cell's source in nbformat's convention: a list of lines, each but the last ending with a newline.</summary>
    public static void SetSource(JsonNode cell, string source)
    {
        var lines = source.Split('\n');
        cell["source"] = new JsonArray(lines.Select((line, i) => (JsonNode?)JsonValue.Create(i < lines.Length - 1 ? line + "\n" : line))
            .Where(line => line!.GetValue<string>().Length > 0).ToArray());
    }

    private static CompositeKernel CreateKernel()
    {
        var csharp = new CSharpKernel().UseKernelHelpers().UseValueSharing();
        var kernel = new CompositeKernel { csharp };
        kernel.DefaultKernelName = csharp.Name;
        return kernel;
    }

    private static async Task<string?> ExecuteAsync(Kernel kernel, string source, JsonArray outputs)
    {
        string? error = null;
        var displays = new Dictionary<string, JsonObject>();
        var unbound = new List<JsonObject>();   // display outputs no update has claimed yet, oldest first
        var result = await kernel.SendAsync(new SubmitCode(source));
        foreach (var e in result.Events)
        {
            switch (e)
            {
                case StandardOutputValueProduced stdout:
                    outputs.Add(Stream("stdout", stdout.FormattedValues));
                    break;
                case StandardErrorValueProduced stderr:
                    outputs.Add(Stream("stderr", stderr.FormattedValues));
                    break;
                case DisplayedValueUpdated updated:
                    // Live charts: the executed notebook keeps the final state in place of the first display.
                    // This kernel version gives the update a ValueId other than the original display's, so an
                    // unknown id is bound to the most recent display output not yet claimed by another update.
                    var key = updated.ValueId ?? "";
                    if (!displays.TryGetValue(key, out var shown) && unbound.Count > 0)
                    {
                        shown = unbound[^1];
                        unbound.RemoveAt(unbound.Count - 1);
                        displays[key] = shown;
                    }
                    if (shown is not null) shown["data"] = Data(updated.FormattedValues);
                    else outputs.Add(new JsonObject { ["output_type"] = "display_data", ["data"] = Data(updated.FormattedValues), ["metadata"] = new JsonObject() });
                    break;
                case ReturnValueProduced returned:
                    outputs.Add(new JsonObject { ["output_type"] = "execute_result", ["execution_count"] = null, ["data"] = Data(returned.FormattedValues), ["metadata"] = new JsonObject() });
                    break;
                case DisplayEvent displayed and not DisplayedValueUpdated:
                    var output = new JsonObject { ["output_type"] = "display_data", ["data"] = Data(displayed.FormattedValues), ["metadata"] = new JsonObject() };
                    if (displayed.ValueId is not null) displays[displayed.ValueId] = output;
                    unbound.Add(output);
                    outputs.Add(output);
                    break;
                case CommandFailed failed:
                    error = failed.Message;
                    outputs.Add(new JsonObject
                    {
                        ["output_type"] = "error", ["ename"] = failed.Exception?.GetType().Name ?? "CommandFailed",
                        ["evalue"] = failed.Message, ["traceback"] = new JsonArray(failed.Message),
                    });
                    break;
            }
        }
        return error;
    }

    private static JsonObject Data(IEnumerable<FormattedValue> values)
    {
        var data = new JsonObject();
        foreach (var value in values)
            // nbformat stores JSON MIME types (application/json, application/vnd.plotly.v1+json, …) as JSON, not as text.
            data[value.MimeType] = IsJson(value.MimeType) && TryParse(value.Value) is { } json ? json : value.Value;
        return data;
    }

    private static bool IsJson(string mimeType) => mimeType == "application/json" || mimeType.EndsWith("+json", StringComparison.Ordinal);

    private static JsonNode? TryParse(string text)
    {
        try { return JsonNode.Parse(text); }
        catch (System.Text.Json.JsonException) { return null; }
    }

    private static JsonObject Stream(string name, IEnumerable<FormattedValue> values) => new()
    {
        ["output_type"] = "stream", ["name"] = name,
        ["text"] = string.Concat(values.Where(v => v.MimeType == PlainTextFormatter.MimeType).Select(v => v.Value)),
    };

    private static string FirstLine(string source) => source.Split('\n').FirstOrDefault(l => !string.IsNullOrWhiteSpace(l))?.Trim() ?? "";
}

/// <summary>How <see cref="NotebookExecutor.RunAsync"/> runs a notebook.</summary>
public sealed record ExecutionOptions
{
    /// <summary>Go on after a failing cell (the grader's mode: a later exercise is still graded); the default stops.</summary>
    public bool KeepGoing { get; init; }

    /// <summary>Called before a code cell runs, with its 0-based position among all cells.</summary>
    public Action<int>? CellStarting { get; init; }

    /// <summary>Called after a code cell ran: its position, its outputs, its error (null if none) and its seconds.</summary>
    public Action<int, JsonArray, string?, double>? CellFinished { get; init; }
}
