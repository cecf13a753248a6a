using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PruningLab.NotebookRunner.Classroom;

/// <summary>How a grading run of one notebook ended.</summary>
public enum RunEnd
{
    /// <summary>Every cell ran (some may have failed).</summary>
    Completed,
    /// <summary>A cell ran longer than its limit: the process was killed.</summary>
    TimedOut,
    /// <summary>The process used more memory than the limit: it was killed.</summary>
    OutOfMemory,
    /// <summary>The process stopped on its own before the end (a crash, a stack overflow, an Environment.Exit).</summary>
    Crashed,
}

/// <summary>A cell that ran to its end: its error (null if none), its seconds and the check results it displayed.</summary>
public sealed record CellEnd(int Cell, string? Error, double Seconds, IReadOnlyList<JsonObject> Checks);

/// <summary>One execution of a notebook in a child process: how it ended, in which cell, and what each finished cell did.</summary>
public sealed record RunOutcome(RunEnd End, int? Cell, string Detail, IReadOnlyList<CellEnd> Cells, double Seconds, long PeakBytes);

/// <summary>
/// Runs a notebook in a child process (<c>NotebookRunner run-for-grading</c>) and watches it: the child reports each
/// cell's start and end on a protocol line; this side kills the whole process tree when a cell exceeds its time limit
/// or the process exceeds the memory limit. A learner's endless loop or unbounded allocation can therefore never hang
/// or crash the grader: the run ends, and says in which cell.
/// </summary>
public static class GradingRun
{
    /// <summary>Marks the child's protocol lines (the learner's own prints go into the notebook's outputs, not here).</summary>
    public const string Prefix = "\u0001pruninglab-grader ";

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    /// <summary>Runs <paramref name="notebook"/>; the executed copy (if the run completes) goes to <paramref name="executedPath"/>.</summary>
    /// <param name="notebook">The assembled notebook.</param>
    /// <param name="executedPath">Where the child writes the executed notebook.</param>
    /// <param name="limitOf">The time limit of a cell (by its 0-based position).</param>
    /// <param name="memoryLimitBytes">The largest resident memory allowed to the child process.</param>
    /// <param name="idleLimit">The longest time without any cell running (start-up, between cells, writing the result).</param>
    public static async Task<RunOutcome> RunAsync(string notebook, string executedPath, Func<int, TimeSpan> limitOf,
        long memoryLimitBytes, TimeSpan idleLimit)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(notebook)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,   // a learner's Console.ReadLine() gets end-of-input at once, not a hang
        };
        foreach (var argument in new[] { RunnerDll, "run-for-grading", notebook, executedPath }) start.ArgumentList.Add(argument);
        var gate = new object();
        var cells = new List<CellEnd>();
        (int Cell, Stopwatch Clock)? running = null;
        var idle = Stopwatch.StartNew();
        var done = false;
        var errorTail = new System.Text.StringBuilder();
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new ClassroomException("could not start the notebook runner (dotnet).");
        process.StandardInput.Close();
        var reader = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                if (!line.StartsWith(Prefix, StringComparison.Ordinal)) continue;
                var message = JsonNode.Parse(line[Prefix.Length..])!.AsObject();
                lock (gate)
                {
                    switch (message["event"]!.GetValue<string>())
                    {
                        case "start":
                            running = (message["cell"]!.GetValue<int>(), Stopwatch.StartNew());
                            break;
                        case "end":
                            cells.Add(new CellEnd(message["cell"]!.GetValue<int>(), message["error"]?.GetValue<string>(),
                                message["seconds"]!.GetValue<double>(), message["checks"]!.AsArray().Select(c => c!.AsObject()).ToList()));
                            running = null;
                            idle.Restart();
                            break;
                        case "done":
                            done = true;
                            break;
                    }
                }
            }
        });
        var errors = Task.Run(async () =>
        {
            var buffer = new char[4096];
            int read;
            while ((read = await process.StandardError.ReadAsync(buffer)) > 0)
                lock (errorTail)
                {
                    errorTail.Append(buffer, 0, read);
                    if (errorTail.Length > 4000) errorTail.Remove(0, errorTail.Length - 4000);
                }
        });

        RunEnd? killedFor = null;
        int? killedIn = null;
        var detail = "";
        long peak = 0;
        while (!process.HasExited)
        {
            await Task.Delay(Poll);
            long bytes;
            try
            {
                process.Refresh();
                bytes = process.WorkingSet64;
            }
            catch (InvalidOperationException)
            {
                break;   // exited between the check and the read
            }
            peak = Math.Max(peak, bytes);
            lock (gate)
            {
                if (bytes > memoryLimitBytes)
                    (killedFor, killedIn, detail) = (RunEnd.OutOfMemory, running?.Cell, $"{bytes / 1048576} MB in use, the limit is {memoryLimitBytes / 1048576} MB");
                else if (running is { } cell && cell.Clock.Elapsed > limitOf(cell.Cell))
                    (killedFor, killedIn, detail) = (RunEnd.TimedOut, cell.Cell, $"still running after {limitOf(cell.Cell).TotalSeconds:F0} s");
                else if (running is null && !done && idle.Elapsed > idleLimit)
                    (killedFor, killedIn, detail) = (RunEnd.TimedOut, null, $"no cell started or finished for {idleLimit.TotalSeconds:F0} s");
            }
            if (killedFor is null) continue;
            try { process.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { }   // it exited on its own meanwhile
            break;
        }
        await process.WaitForExitAsync();
        await Task.WhenAny(Task.WhenAll(reader, errors), Task.Delay(TimeSpan.FromSeconds(10)));
        lock (gate)
        {
            if (killedFor is { } end) return new RunOutcome(end, killedIn, detail, cells.ToList(), clock.Elapsed.TotalSeconds, peak);
            if (done) return new RunOutcome(RunEnd.Completed, null, "", cells.ToList(), clock.Elapsed.TotalSeconds, peak);
            string tail;
            lock (errorTail) tail = errorTail.ToString().Trim();
            var lastLines = string.Join('\n', tail.Split('\n').TakeLast(5));
            return new RunOutcome(RunEnd.Crashed, running?.Cell, $"exit code {process.ExitCode}{(lastLines.Length > 0 ? $": {lastLines}" : "")}",
                cells.ToList(), clock.Elapsed.TotalSeconds, peak);
        }
    }

    /// <summary>The child's side: runs the notebook cell by cell (going on after errors) and reports on the protocol.</summary>
    public static async Task<int> ChildAsync(string notebook, string executedPath)
    {
        // The raw standard output: the kernel redirects Console.Out into the cells' outputs while they run.
        using var protocol = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
        void Send(JsonObject message) { lock (protocol) protocol.WriteLine(Prefix + message.ToJsonString()); }
        await NotebookExecutor.RunAsync(notebook, executedPath, new ExecutionOptions
        {
            KeepGoing = true,
            CellStarting = cell => Send(new JsonObject { ["event"] = "start", ["cell"] = cell }),
            CellFinished = (cell, outputs, error, seconds) => Send(new JsonObject
            {
                ["event"] = "end", ["cell"] = cell, ["error"] = error, ["seconds"] = Math.Round(seconds, 3),
                ["checks"] = new JsonArray(ChecksIn(outputs).ToArray()),
            }),
        });
        Send(new JsonObject { ["event"] = "done" });
        return 0;
    }

    /// <summary>The structured check results a cell displayed (<c>application/vnd.pruninglab.check+json</c>).</summary>
    public static IEnumerable<JsonNode?> ChecksIn(JsonArray outputs) =>
        outputs.Select(o => o?["data"]?[CheckMimeType]).Where(c => c is not null).Select(c => c is JsonValue text
            ? JsonNode.Parse(text.GetValue<string>()) : c!.DeepClone());

    /// <summary>The MIME type of a check's structured result (PruningLab.Exercises.CheckResult.MimeType).</summary>
    public const string CheckMimeType = "application/vnd.pruninglab.check+json";

    private static string RunnerDll => typeof(GradingRun).Assembly.Location;

    /// <summary>Reads a check result's fields.</summary>
    public static (string Id, bool Passed, string Message) Fields(JsonObject check)
    {
        try
        {
            return (check["id"]!.GetValue<string>(), check["passed"]!.GetValue<bool>(), check["message"]?.GetValue<string>() ?? "");
        }
        catch (Exception error) when (error is InvalidOperationException or NullReferenceException or FormatException)
        {
            return ("", false, "a malformed check result");
        }
    }
}
