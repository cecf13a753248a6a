using PruningLab.Compression;
using PruningLab.Data;
using PruningLab.Models;
using PruningLab.Pruning;
using PruningLab.Structured;
using PruningLab.Training;
using static System.FormattableString;
using static TorchSharp.torch;

namespace PruningLab.Experiments;

/// <summary>One dense model of the comparison and what to do to it.</summary>
/// <param name="Dense">The dense model of a seed (cached by <see cref="PretrainedModels"/> in the course's use).</param>
/// <param name="Methods">Each method with the settings to try it at (sparsities, or shares of channels).</param>
/// <param name="FineTune">The fine-tuning recipe of a seed, for <see cref="Comparison.FineTuned"/>; masks are held during it.</param>
/// <param name="LatencyBatch">Images per forward pass when timing.</param>
public sealed record ComparisonModel(Func<CourseData, int, PretrainedModel> Dense,
    IReadOnlyList<(CompressionMethod Method, IReadOnlyList<double> Settings)> Methods, Func<int, TrainingOptions> FineTune, int LatencyBatch = 64);

/// <summary>
/// The capstone's comparison runner (lesson 09): every method at every setting, one-shot and fine-tuned, on every seed
/// and model, measured the same way into one <see cref="ComparisonTable"/> — validation and test accuracy, the share
/// of weights gone, the stored size with every bit counted, and the latency of a batch against the dense model in the
/// same measurement. Rows already in the given table are not measured again, fine-tuned models are cached by recipe,
/// and a progress bar runs over the whole grid.
/// </summary>
public static class Comparison
{
    /// <summary>The mode without retraining.</summary>
    public const string OneShot = "one-shot";
    /// <summary>The mode with the model's fine-tuning recipe after compressing.</summary>
    public const string FineTuned = "fine-tuned";

    /// <summary>Both modes.</summary>
    public static IReadOnlyList<string> Modes { get; } = [OneShot, FineTuned];

    /// <summary>Runs the grid and returns the table (<paramref name="table"/> with the new rows, or a new one).</summary>
    /// <param name="data">The three splits.</param>
    /// <param name="models">The dense models and their methods.</param>
    /// <param name="seeds">Seeds: each one's dense model, compressed by every method.</param>
    /// <param name="modes"><see cref="OneShot"/> and/or <see cref="FineTuned"/>.</param>
    /// <param name="table">Rows measured before: skipped now (the cache of the comparison).</param>
    /// <param name="onRow">Called with each new row, e.g. to save the table as it grows.</param>
    /// <param name="progress">Where the progress bar is drawn; the terminal by default, null for none.</param>
    /// <param name="cache">Cache fine-tuned models (<see cref="RunCache"/>).</param>
    /// <param name="latencyRepeats">Timed passes per model (the median is kept).</param>
    /// <exception cref="ArgumentException">No model, method, setting, seed or mode; an unknown mode; a setting outside [0, 1).</exception>
    public static ComparisonTable Run(CourseData data, IReadOnlyList<ComparisonModel> models, IReadOnlyList<int> seeds, IReadOnlyList<string>? modes = null,
        ComparisonTable? table = null, Action<ComparisonRow>? onRow = null, TextWriter? progress = null, bool cache = true, int latencyRepeats = 10)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(seeds);
        modes ??= Modes;
        Validate(models, seeds, modes);
        table ??= new ComparisonTable();
        var total = seeds.Count * modes.Count * models.Sum(m => m.Methods.Sum(x => x.Settings.Count));
        var bar = new ProgressBar(progress ?? ProgressBar.Terminal, "comparison", total);
        var done = 0;
        foreach (var seed in seeds)
            foreach (var spec in models)
            {
                PretrainedModel? dense = null;
                try
                {
                    foreach (var (method, settings) in spec.Methods)
                        foreach (var setting in settings)
                            foreach (var mode in modes)
                            {
                                dense ??= spec.Dense(data, seed);
                                var architecture = dense.Model.GetName();
                                if (!table.Contains(architecture, method.Name, mode, setting, seed))
                                {
                                    var row = Measure(dense, data, spec, method, setting, mode, seed, cache, latencyRepeats);
                                    table.Add(row);
                                    onRow?.Invoke(row);
                                }
                                bar.Report(++done, Invariant($"{architecture} · {method.Name} {setting:R} {mode} · seed {seed}"));
                            }
                }
                finally
                {
                    dense?.Model.Dispose();
                }
            }
        bar.Finish(done);
        return table;
    }

    /// <summary>Compresses one copy of <paramref name="dense"/> and measures it.</summary>
    public static ComparisonRow Measure(PretrainedModel dense, CourseData data, ComparisonModel spec, CompressionMethod method, double setting, string mode, int seed,
        bool cache = true, int latencyRepeats = 10)
    {
        ArgumentNullException.ThrowIfNull(dense);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(method);
        if (mode == OneShot)
        {
            using var model = method.Structured ? method.Shrink(dense, setting) : ModelZoo.Copy(dense.Model);
            using var masks = ModelMasks.For(model);
            if (!method.Structured) method.Prune(masks, dense, data, setting);
            return Row(dense, data, model, method, setting, mode, seed, spec.LatencyBatch, latencyRepeats);
        }
        if (mode != FineTuned) throw new ArgumentException($"Unknown mode '{mode}': use {OneShot} or {FineTuned}.", nameof(mode));
        using var run = FineTunedModel(dense, data, spec, method, setting, seed, cache);
        return Row(dense, data, run.Model, method, setting, mode, seed, spec.LatencyBatch, latencyRepeats);
    }

    /// <summary>
    /// The model of a fine-tuned row: <paramref name="dense"/> compressed by <paramref name="method"/> at
    /// <paramref name="setting"/>, then trained by the model's recipe for <paramref name="seed"/> (masks held), loaded
    /// from the cache when a run of the comparison made it before. The caller owns it.
    /// </summary>
    public static TrainedRun FineTunedModel(PretrainedModel dense, CourseData data, ComparisonModel spec, CompressionMethod method, double setting, int seed,
        bool cache = true)
    {
        ArgumentNullException.ThrowIfNull(dense);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(method);
        var recipe = spec.FineTune(seed);
        return RunCache.Get(
            Invariant($"{dense.Key}|compare: {method.Name} ({method.Description}) at {setting:R}, then fine-tune|{recipe.Recipe()}|{data.Train.Name}|{data.Train.Count}"),
            () => method.Structured ? method.Shrink(dense, setting) : ModelZoo.Copy(dense.Model),
            (model, masks) =>
            {
                if (!method.Structured) method.Prune(masks, dense, data, setting);
                return Trainer.Fit(model, data.Train, data.Validation, recipe with { Hooks = method.Structured ? [] : [masks.Hook] });
            }, cache);
    }

    private static ComparisonRow Row(PretrainedModel dense, CourseData data, nn.Module<Tensor, Tensor> model, CompressionMethod method, double setting, string mode,
        int seed, int latencyBatch, int latencyRepeats)
    {
        var kept = NonZeroWeights(model);
        var sparsity = 1 - kept / (double)NonZeroWeights(dense.Model, countZeros: true);
        var storage = CompressedSize.OfModel(model, null, huffman: false);
        var denseBits = dense.Model.parameters().Sum(p => p.numel()) * 32;
        var latency = Latency.Measure([("dense", dense.Model), ("compressed", model)], [latencyBatch], repeats: latencyRepeats, warmUp: 3);
        return new ComparisonRow(dense.Model.GetName(), method.Name, mode, setting, seed, sparsity,
            Evaluator.Accuracy(model, data.Validation), Evaluator.Accuracy(model, data.Test), storage.Total, denseBits,
            latency.Single(l => l.Model == "compressed").MedianMs, latency.Single(l => l.Model == "dense").MedianMs);
    }

    // The prunable weights that are not zero (or all of them, for the dense model's count).
    private static long NonZeroWeights(nn.Module model, bool countZeros = false)
    {
        using var scope = NewDisposeScope();
        return MagnitudePruning.PrunableWeights(model).Sum(p => countZeros ? p.Weight.numel() : p.Weight.count_nonzero().item<long>());
    }

    private static void Validate(IReadOnlyList<ComparisonModel> models, IReadOnlyList<int> seeds, IReadOnlyList<string> modes)
    {
        if (models.Count == 0) throw new ArgumentException("Give at least one model to compare on.", nameof(models));
        if (seeds.Count == 0) throw new ArgumentException("Give at least one seed.", nameof(seeds));
        if (modes.Count == 0) throw new ArgumentException($"Give at least one mode: {OneShot} and/or {FineTuned}.", nameof(modes));
        foreach (var mode in modes)
            if (mode is not (OneShot or FineTuned)) throw new ArgumentException($"Unknown mode '{mode}': use {OneShot} or {FineTuned}.", nameof(modes));
        foreach (var spec in models)
        {
            if (spec.Methods.Count == 0) throw new ArgumentException("A model has no method to compare.", nameof(models));
            foreach (var (method, settings) in spec.Methods)
            {
                if (settings.Count == 0) throw new ArgumentException($"{method.Name} has no setting to run at.", nameof(models));
                foreach (var s in settings)
                    if (!(s >= 0 && s < 1)) throw new ArgumentException(Invariant($"{method.Name}: the setting {s} is outside [0, 1)."), nameof(models));
            }
        }
    }
}
