using PruningLab.Data;
using PruningLab.Training;
using static System.FormattableString;

namespace PruningLab.Experiments;

/// <summary>
/// The capstone's grid (lesson 09): every method of the course on the course's two networks, measured by
/// <see cref="Comparison"/> into one table. LeNet-300-100: random, magnitude, Taylor, OBD and layer-wise OBS at four
/// sparsities, and whole hidden neurons removed; the small VGG: unstructured magnitude against whole channels removed.
/// Each is measured one-shot and after the same short fine-tune of its network, beside the dense control fine-tuned as long. <c>./course experiments 09</c> runs
/// three seeds and stores the table in <see cref="StoredPath"/>; rows already stored are not measured again.
/// </summary>
public static class CapstoneStudy
{
    /// <summary>Sparsities of the unstructured methods on LeNet-300-100.</summary>
    public static IReadOnlyList<double> Sparsities { get; } = [0.5, 0.8, 0.9, 0.95];
    /// <summary>Shares of the hidden neurons removed from LeNet-300-100.</summary>
    public static IReadOnlyList<double> NeuronShares { get; } = [0.3, 0.5, 0.7];
    /// <summary>Sparsities of unstructured magnitude pruning on the small VGG.</summary>
    public static IReadOnlyList<double> CnnSparsities { get; } = [0.5, 0.9];
    /// <summary>Shares of every convolution's channels removed from the small VGG (lesson 04's).</summary>
    public static IReadOnlyList<double> ChannelShares { get; } = [0.3, 0.5];
    /// <summary>Fine-tuning epochs of the small VGG (an epoch costs about 40 s here).</summary>
    public const int CnnFineTuneEpochs = 1;

    /// <summary>Where the stored table lives: <c>experiments/lesson09-comparison.json</c>.</summary>
    public static string StoredPath => Path.Combine(ExperimentResults.Folder, "lesson09-comparison.json");

    /// <summary>LeNet-300-100 with lesson 07's fine-tune (one epoch, its rate chosen on validation there).</summary>
    public static ComparisonModel LeNet { get; } = new((data, seed) => PretrainedModels.LeNet300100(data, seed),
    [
        (CompressionMethods.Dense, [0.0]), (CompressionMethods.Random, Sparsities), (CompressionMethods.Magnitude, Sparsities), (CompressionMethods.Taylor, Sparsities),
        (CompressionMethods.Obd, Sparsities), (CompressionMethods.Obs, Sparsities), (CompressionMethods.Channels, NeuronShares),
    ], seed => SaliencyStudy.FineTune(seed));

    /// <summary>The small VGG with lesson 04's fine-tune cut to <see cref="CnnFineTuneEpochs"/>, the same for both methods.</summary>
    public static ComparisonModel Cnn { get; } = new((data, seed) => PretrainedModels.SmallVgg(data, seed),
        [(CompressionMethods.Dense, [0.0]), (CompressionMethods.Magnitude, CnnSparsities), (CompressionMethods.Channels, ChannelShares)],
        seed => ChannelStudy.FineTune(seed) with { Epochs = CnnFineTuneEpochs });

    /// <summary>The whole grid for <paramref name="seeds"/>, adding to <paramref name="table"/> what it lacks.</summary>
    public static ComparisonTable Run(CourseData data, IReadOnlyList<int> seeds, ComparisonTable? table = null, Action<ComparisonRow>? onRow = null,
        TextWriter? progress = null) =>
        Comparison.Run(data, [LeNet, Cnn], seeds, table: table, onRow: onRow, progress: progress);

    /// <summary>
    /// The part of the grid lesson 09 recomputes live, one row each: LeNet-300-100 at 90 % by magnitude (one-shot and
    /// fine-tuned) and by OBS (one-shot), half its neurons removed and fine-tuned; the small VGG at 90 % by magnitude,
    /// fine-tuned (the model exercise 9.1's reference starts from), and half its channels removed, one-shot.
    /// </summary>
    public static IReadOnlyList<(ComparisonModel Model, CompressionMethod Method, double Setting, string Mode)> LiveGrid { get; } =
    [
        (LeNet, CompressionMethods.Magnitude, 0.9, Comparison.OneShot), (LeNet, CompressionMethods.Magnitude, 0.9, Comparison.FineTuned),
        (LeNet, CompressionMethods.Obs, 0.9, Comparison.OneShot), (LeNet, CompressionMethods.Channels, 0.5, Comparison.FineTuned),
        (Cnn, CompressionMethods.Magnitude, 0.9, Comparison.FineTuned), (Cnn, CompressionMethods.Channels, 0.5, Comparison.OneShot),
    ];

    /// <summary>
    /// Measures <see cref="LiveGrid"/> for <paramref name="seed"/> now (fine-tuned models from the cache when a run made
    /// them before), printing each row as it comes; compare it with the stored table by <see cref="ComparisonTable.CompareLive"/>.
    /// </summary>
    public static ComparisonTable RunLive(CourseData data, int seed = 0, TextWriter? progress = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var table = new ComparisonTable(description: Invariant($"lesson 09's live rows, seed {seed}"));
        var bar = new ProgressBar(progress ?? ProgressBar.Terminal, "live rows", LiveGrid.Count);
        // Each entry is the comparison runner's grid cut to one method, setting and mode.
        foreach (var (spec, method, setting, mode) in LiveGrid)
            Comparison.Run(data, [spec with { Methods = [(method, [setting])] }], [seed], [mode], table, progress: TextWriter.Null,
                onRow: row =>
                {
                    Console.WriteLine(Invariant($"{row.Model}, {row.Method} at {row.Setting:P0}, {row.Mode}: validation {row.Validation:P2}, test {row.Test:P2}, ") +
                                      Invariant($"{row.Ratio:F2}× smaller, {row.SpeedUp:F2}× faster (batch {spec.LatencyBatch}, this machine, now)"));
                    bar.Report(table.Rows.Count, Invariant($"{row.Model} · {row.Method} {row.Setting:P0} {row.Mode}"));
                });
        bar.Finish(table.Rows.Count);
        return table;
    }

    /// <summary>The settings of the grid, for the stored table's description.</summary>
    public static string Describe() =>
        Invariant($"Both networks: the dense control (nothing removed), one-shot and fine-tuned as long as the methods. ") +
        Invariant($"LeNet-300-100 (lesson 00's recipe): random, magnitude, Taylor, OBD (empirical Fisher) at {string.Join(", ", Sparsities)} with one threshold across layers; ") +
        Invariant($"layer-wise OBS with global magnitude's per-layer shares; {string.Join(", ", NeuronShares)} of each hidden layer's neurons removed by the L2 norm of their weights. ") +
        Invariant($"Fine-tune: {SaliencyStudy.FineTune(0).Recipe()} (seed = 1 + 100 × seed). ") +
        Invariant($"Small VGG (3 epochs): magnitude at {string.Join(", ", CnnSparsities)} of all weights, one threshold; {string.Join(", ", ChannelShares)} of every convolution's channels removed. ") +
        Invariant($"Fine-tune: {Cnn.FineTune(0).Recipe()}. Calibration: {SaliencyStudy.CalibrationImages:N0} training images. Bits: every weight tensor in its smallest fp32 format, other parameters fp32. ") +
        Invariant($"Latency: batch {LeNet.LatencyBatch}, median of 10 passes after 3, interleaved with the dense model, 2 threads.");
}
