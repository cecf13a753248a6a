using System.Globalization;
using System.Text;
using System.Text.Json;
using static System.FormattableString;

namespace PruningLab.Experiments;

/// <summary>One compressed model of one seed, measured by <see cref="Comparison"/>.</summary>
/// <param name="Model">The dense model's architecture, e.g. <c>lenet-300-100</c>.</param>
/// <param name="Method">The method's name (<see cref="CompressionMethod.Name"/>).</param>
/// <param name="Mode"><see cref="Comparison.OneShot"/> or <see cref="Comparison.FineTuned"/>.</param>
/// <param name="Setting">The setting asked for: a sparsity, or the share of channels removed.</param>
/// <param name="Seed">The seed of the dense model and of the fine-tuning.</param>
/// <param name="Sparsity">The share of the dense model's prunable weights that are gone: zero, or cut out with their channel.</param>
/// <param name="Validation">Validation accuracy (0…1): what choices are made on.</param>
/// <param name="Test">Test accuracy (0…1): what is reported.</param>
/// <param name="Bits">The stored model, every prunable weight in its smallest fp32 format, every other parameter fp32.</param>
/// <param name="DenseBits">The dense model in fp32.</param>
/// <param name="LatencyMs">Median time of one forward pass of a batch, measured interleaved with the dense model.</param>
/// <param name="DenseLatencyMs">The dense model's median in the same measurement.</param>
public sealed record ComparisonRow(string Model, string Method, string Mode, double Setting, int Seed, double Sparsity,
    double Validation, double Test, long Bits, long DenseBits, double LatencyMs, double DenseLatencyMs)
{
    /// <summary>How many times smaller than the dense fp32 model.</summary>
    public double Ratio => DenseBits / (double)Bits;

    /// <summary>How many times faster than the dense model, in the same measurement.</summary>
    public double SpeedUp => DenseLatencyMs / LatencyMs;

    internal (string, string, string, double, int) Key => (Model, Method, Mode, Setting, Seed);
}

/// <summary>One configuration over its seeds: accuracies as mean ± sd, size and speed as means.</summary>
/// <param name="Model">The dense model's architecture.</param>
/// <param name="Method">The method.</param>
/// <param name="Mode">One-shot or fine-tuned.</param>
/// <param name="Setting">The setting asked for.</param>
/// <param name="Seeds">How many seeds.</param>
/// <param name="Sparsity">Mean share of the prunable weights gone.</param>
/// <param name="Validation">Validation accuracy over the seeds.</param>
/// <param name="Test">Test accuracy over the seeds.</param>
/// <param name="Bits">Mean stored bits.</param>
/// <param name="Ratio">Mean of dense bits over bits.</param>
/// <param name="SpeedUp">Median over the seeds of the speed-up against the dense model.</param>
/// <param name="LatencyMs">Median over the seeds of the median latency.</param>
public sealed record ComparisonSummary(string Model, string Method, string Mode, double Setting, int Seeds, double Sparsity,
    Spread Validation, Spread Test, double Bits, double Ratio, double SpeedUp, double LatencyMs);

/// <summary>
/// The comparison's results: every row with its seed, and the summaries over seeds. It is the cache too — a run given a
/// table skips the rows it already holds — and it is written as JSON (everything, with when and how it was made) or as
/// CSV (one line per summary, or per row).
/// </summary>
public sealed class ComparisonTable
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };
    private readonly List<ComparisonRow> rows;

    /// <summary>A table holding <paramref name="rows"/> (none by default).</summary>
    public ComparisonTable(IEnumerable<ComparisonRow>? rows = null, string description = "")
    {
        this.rows = rows?.ToList() ?? [];
        Description = description;
    }

    /// <summary>What was compared and how: set by the run that made the table.</summary>
    public string Description { get; set; }

    /// <summary>Each run that added rows: command, commit, machine, when, how long (the table's provenance).</summary>
    public List<string> Runs { get; } = [];

    /// <summary>Every measured row, in the order measured.</summary>
    public IReadOnlyList<ComparisonRow> Rows => rows;

    /// <summary>True if the table already holds this configuration and seed.</summary>
    public bool Contains(string model, string method, string mode, double setting, int seed) =>
        rows.Any(r => r.Key == (model, method, mode, setting, seed));

    /// <summary>Adds a row (replacing one of the same configuration and seed).</summary>
    public void Add(ComparisonRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        rows.RemoveAll(r => r.Key == row.Key);
        rows.Add(row);
    }

    /// <summary>One summary per configuration, in the order first measured.</summary>
    public IReadOnlyList<ComparisonSummary> Summaries() =>
        rows.GroupBy(r => (r.Model, r.Method, r.Mode, r.Setting)).Select(g => new ComparisonSummary(
            g.Key.Model, g.Key.Method, g.Key.Mode, g.Key.Setting, g.Count(), g.Average(r => r.Sparsity),
            Spread.Of(g.Select(r => r.Validation)), Spread.Of(g.Select(r => r.Test)), g.Average(r => (double)r.Bits),
            g.Average(r => r.Ratio), Statistics.Median(g.Select(r => r.SpeedUp).ToList()), Statistics.Median(g.Select(r => r.LatencyMs).ToList()))).ToList();

    /// <summary>The summary of one configuration.</summary>
    /// <exception cref="KeyNotFoundException">The table has no such configuration.</exception>
    public ComparisonSummary Summary(string model, string method, string mode, double setting) =>
        Summaries().FirstOrDefault(s => (s.Model, s.Method, s.Mode, s.Setting) == (model, method, mode, setting))
        ?? throw new KeyNotFoundException(Invariant($"No rows for {model}, {method}, {mode} at {setting}. The table has: ") +
                                          string.Join("; ", Summaries().Select(s => Invariant($"{s.Model} {s.Method} {s.Mode} {s.Setting}")).Distinct()));

    /// <summary>
    /// Compares rows measured now with the stored rows of the same configuration and seed, prints one line
    /// (<c>✓ live vs stored</c> when every validation and test accuracy agrees within <paramref name="tolerance"/>) and
    /// returns the largest difference. Latencies are not compared: they are this machine's, measured now.
    /// </summary>
    public double CompareLive(IEnumerable<ComparisonRow> live, double tolerance) =>
        LiveVsStored.Compare("", "rows", live, row => rows.FirstOrDefault(r => r.Key == row.Key), r => (r.Validation, r.Test),
            r => Invariant($"{r.Model} {r.Method} {r.Mode} {r.Setting} seed {r.Seed}"), tolerance);

    /// <summary>
    /// One network's summaries as an aligned text table: per method and setting, the test accuracy one-shot and
    /// fine-tuned (mean ± sd in percent), how many times smaller and how many times faster (fine-tuned) than dense.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The table has no rows of that network.</exception>
    public string Text(string model)
    {
        var summaries = Summaries().Where(s => s.Model == model).ToList();
        if (summaries.Count == 0)
            throw new KeyNotFoundException($"No rows for {model}; the table has {string.Join(", ", rows.Select(r => r.Model).Distinct())}.");
        static string Accuracy(ComparisonSummary? s) => s is null ? "—" : Invariant($"{s.Test.Mean * 100:F2} ± {s.Test.Sd * 100:F2}");
        var text = new StringBuilder(Invariant($"{"method",-10} {"setting",7} {"one-shot test %",16} {"fine-tuned test %",18} {"smaller",8} {"faster",7}\n"));
        foreach (var group in summaries.GroupBy(s => (s.Method, s.Setting)))
        {
            var oneShot = group.FirstOrDefault(s => s.Mode == Comparison.OneShot);
            var tuned = group.FirstOrDefault(s => s.Mode == Comparison.FineTuned);
            var size = tuned ?? oneShot!;
            text.Append(Invariant($"{group.Key.Method,-10} {group.Key.Setting * 100,6:F0}% {Accuracy(oneShot),16} {Accuracy(tuned),18} {size.Ratio,7:F2}× {size.SpeedUp,6:F2}×\n"));
        }
        return text.ToString();
    }

    /// <summary>The summaries as CSV, invariant culture, accuracies in percent.</summary>
    public string SummaryCsv()
    {
        var csv = new StringBuilder("model,method,mode,setting,seeds,sparsity,validation_mean,validation_sd,test_mean,test_sd,bits,ratio,speed_up,latency_ms\n");
        foreach (var s in Summaries())
            csv.Append(Invariant($"{Quote(s.Model)},{Quote(s.Method)},{Quote(s.Mode)},{s.Setting},{s.Seeds},{s.Sparsity:F4},{s.Validation.Mean * 100:F2},{s.Validation.Sd * 100:F2},") +
                       Invariant($"{s.Test.Mean * 100:F2},{s.Test.Sd * 100:F2},{s.Bits:F0},{s.Ratio:F3},{s.SpeedUp:F3},{s.LatencyMs:F4}\n"));
        return csv.ToString();
    }

    /// <summary>Every row as CSV, invariant culture, accuracies as fractions.</summary>
    public string RowCsv()
    {
        var csv = new StringBuilder("model,method,mode,setting,seed,sparsity,validation,test,bits,dense_bits,latency_ms,dense_latency_ms\n");
        foreach (var r in rows)
            csv.Append(Invariant($"{Quote(r.Model)},{Quote(r.Method)},{Quote(r.Mode)},{r.Setting},{r.Seed},{r.Sparsity:R},{r.Validation:R},{r.Test:R},") +
                       Invariant($"{r.Bits},{r.DenseBits},{r.LatencyMs:R},{r.DenseLatencyMs:R}\n"));
        return csv.ToString();
    }

    /// <summary>Writes the table as JSON, atomically.</summary>
    public string Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return AtomicFile.WriteAllText(path, JsonSerializer.Serialize(new Stored(Description, Runs, rows), Json));
    }

    /// <summary>Reads a table that <see cref="Save"/> wrote.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file is not a comparison table.</exception>
    public static ComparisonTable Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"No comparison table at {path}. Run the comparison first (./course experiments 09 writes experiments/lesson09-comparison.json).", path);
        Stored? stored;
        try { stored = JsonSerializer.Deserialize<Stored>(File.ReadAllText(path)); }
        catch (JsonException e) { throw new InvalidDataException($"{path} is not a comparison table: {e.Message}", e); }
        if (stored?.Rows is null) throw new InvalidDataException($"{path} is not a comparison table: it has no rows.");
        var table = new ComparisonTable(stored.Rows, stored.Description ?? "");
        table.Runs.AddRange(stored.Runs ?? []);
        return table;
    }

    private sealed record Stored(string? Description, List<string>? Runs, List<ComparisonRow>? Rows);

    private static string Quote(string text) =>
        text.IndexOfAny([',', '"', '\n']) < 0 ? text : "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
