using System.Text.Json;

namespace PruningLab.NotebookRunner;

/// <summary>The first cell that failed: its 1-based position among all cells, its first line and the error.</summary>
public sealed record CellFailure(int Cell, string FirstLine, string Message);

/// <summary>How one notebook ran: code cells executed, wall time, per-cell times and the failure if any.</summary>
public sealed record NotebookReport(string Notebook, int Cells, double Seconds, CellFailure? Failure, IReadOnlyList<double> CellSeconds);

/// <summary>Reads and writes <c>run-report.json</c>, the machine-readable summary of a run.</summary>
public static class RunReport
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    /// <summary>Writes the reports to <paramref name="path"/>.</summary>
    public static void Write(string path, IEnumerable<NotebookReport> reports) =>
        File.WriteAllText(path, JsonSerializer.Serialize(reports, Options));

    /// <summary>Reads a report written by <see cref="Write"/>.</summary>
    public static List<NotebookReport> Read(string path) =>
        JsonSerializer.Deserialize<List<NotebookReport>>(File.ReadAllText(path)) ?? [];
}
