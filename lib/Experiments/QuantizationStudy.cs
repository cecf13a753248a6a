using PruningLab.Compression;
using PruningLab.Data;
using PruningLab.Models;
using PruningLab.Pruning;
using PruningLab.Quantization;
using PruningLab.SecondOrder;
using PruningLab.Training;
using static System.FormattableString;
using static TorchSharp.torch;

namespace PruningLab.Experiments;

/// <summary>
/// The measurements of lesson 08 on LeNet-300-100: pruned models (lesson 02's one-shot + fine-tune) quantized by
/// four schemes to 8…2 bits; the order question (prune → quantize vs quantize → prune, one-shot and at equal
/// training budgets); how much calibration data layer-wise OBS needs against data-free magnitude; and the full
/// Deep Compression pipeline (gradual pruning, k-means, Huffman) for the smallest model within a point of dense.
/// Every row counts the model's bits in its smallest format (<see cref="CompressedSize.OfModel(nn.Module, IReadOnlyDictionary{string, QuantizedWeight}?, bool)"/>).
/// <c>./course experiments 08</c> runs three seeds; the lesson recomputes seed 0's rows at 90 % live.
/// </summary>
public static class QuantizationStudy
{
    /// <summary>The pruned base models, fp32: the setting is the sparsity (0: the dense model itself).</summary>
    public const string Base = "pruned + fine-tuned, fp32";
    /// <summary>Symmetric linear, one scale per tensor.</summary>
    public const string LinearTensor = "linear, per tensor";
    /// <summary>Symmetric linear, one scale per output neuron.</summary>
    public const string LinearChannel = "linear, per channel";
    /// <summary>k-means weight sharing, 2^b − 1 centroids.</summary>
    public const string KMeans = "k-means";
    /// <summary>k-means, then one epoch of centroid fine-tuning at the rate chosen on validation.</summary>
    public const string KMeansTuned = "k-means + centroid fine-tune";
    /// <summary>The centroid rate chosen on validation for this seed: the setting is the rate.</summary>
    public const string ChosenRate = "centroid rate chosen on validation";
    /// <summary>Order question, no training: prune the dense model, then k-means.</summary>
    public const string PruneThenQuantize = "prune → quantize, one-shot";
    /// <summary>Order question, no training: k-means on the dense model, then prune by the quantized magnitudes.</summary>
    public const string QuantizeThenPrune = "quantize → prune, one-shot";
    /// <summary>Order question at equal budget: prune, fine-tune 4 epochs, k-means, 1 epoch of centroid fine-tuning.</summary>
    public const string PruneThenQuantizeTrained = "prune → quantize, 5 epochs";
    /// <summary>Order question at equal budget: k-means, 1 epoch of centroid fine-tuning, prune, 4 epochs of centroid fine-tuning.</summary>
    public const string QuantizeThenPruneTrained = "quantize → prune, 5 epochs";
    /// <summary>Data-free: the same share of every layer by magnitude (setting: calibration images, 0).</summary>
    public const string DataFreeMagnitude = "uniform magnitude, no data";
    /// <summary>Data-driven: layer-wise OBS, same share of every layer; the setting is the number of calibration images.</summary>
    public const string ObsWithImages = "layer-wise OBS, uniform, by calibration images";
    /// <summary>The Deep Compression pipeline's fp32 base: gradual pruning over <see cref="PipelineEpochs"/> epochs (setting: sparsity).</summary>
    public const string PipelineBase = "gradual pruning, 12 epochs, fp32";

    /// <summary>Sparsities of the quantized grid (0: the dense model).</summary>
    public static IReadOnlyList<double> Sparsities { get; } = [0, 0.5, 0.8, 0.9, 0.95];
    /// <summary>Bit widths of the grid.</summary>
    public static IReadOnlyList<int> BitWidths { get; } = [8, 5, 4, 3, 2];
    /// <summary>The schemes of the grid.</summary>
    public static IReadOnlyList<string> Schemes { get; } = [LinearTensor, LinearChannel, KMeans, KMeansTuned];
    /// <summary>Adam's rates tried for centroid fine-tuning.</summary>
    public static IReadOnlyList<double> CentroidRates { get; } = [1e-4, 3e-4, 1e-3];
    /// <summary>The runs the centroid rate is chosen on, per seed: (sparsity, bits), dense and sparse, so that one rate suits clusters of every size.</summary>
    public static IReadOnlyList<(double Sparsity, int Bits)> RateSweep { get; } = [(0, 4), (0.9, 4), (0.9, 2), (0.95, 2)];
    /// <summary>Where the order question is asked: (sparsity, bits).</summary>
    public static IReadOnlyList<(double Sparsity, int Bits)> OrderCases { get; } = [(0.9, 4), (0.9, 2), (0.95, 4), (0.95, 2)];
    /// <summary>Calibration images tried for layer-wise OBS at <see cref="DataFreeSparsity"/>.</summary>
    public static IReadOnlyList<int> CalibrationSizes { get; } = [32, 128, 512, 2048];
    /// <summary>The sparsity of the data-free comparison (every layer).</summary>
    public const double DataFreeSparsity = 0.9;
    /// <summary>Epochs of the pipeline's gradual pruning.</summary>
    public const int PipelineEpochs = 12;
    /// <summary>The pipeline's sparsities.</summary>
    public static IReadOnlyList<double> PipelineSparsities { get; } = [0.9, 0.93, 0.95];
    /// <summary>The pipeline's bit widths.</summary>
    public static IReadOnlyList<int> PipelineBits { get; } = [5, 4];

    /// <summary>The method name of <paramref name="scheme"/> on the base pruned to <paramref name="sparsity"/>; the setting is the bits.</summary>
    public static string Method(string scheme, double sparsity) => Invariant($"{scheme}, pruned to {sparsity:R}");

    /// <summary>The method name of a pipeline row: <paramref name="scheme"/> after gradual pruning to <paramref name="sparsity"/>.</summary>
    public static string Pipeline(string scheme, double sparsity) => Invariant($"pipeline: gradual to {sparsity:R}, {scheme}");

    /// <summary>The method name of an order-question row (<see cref="PruneThenQuantize"/> … <see cref="QuantizeThenPruneTrained"/>) at <paramref name="sparsity"/>; the setting is the bits.</summary>
    public static string OrderMethod(string order, double sparsity) => Invariant($"{order} to {sparsity:R}");

    /// <summary>The rate-sweep rows of (<paramref name="sparsity"/>, <paramref name="bits"/>); the setting is the rate.</summary>
    public static string RateSweepName(double sparsity, int bits) => Invariant($"centroid rate sweep: {bits} bits, pruned to {sparsity:R}");

    /// <summary>The base model pruned to <paramref name="sparsity"/> with lesson 02's fine-tune (its cache is shared with lesson 02's runs).</summary>
    public static TrainedRun PrunedBase(PretrainedModel dense, CourseData data, double sparsity, int seed, bool cache = true) =>
        RetrainingStudy.RunFineTuned(dense, data, sparsity, RetrainingStudy.FineTune(seed), cache);

    /// <summary>The pipeline's base: gradual pruning to <paramref name="sparsity"/> over <see cref="PipelineEpochs"/> epochs.</summary>
    public static TrainedRun PipelinePruned(PretrainedModel dense, CourseData data, double sparsity, int seed, bool cache = true) =>
        RetrainingStudy.RunGradual(dense, data, sparsity, RetrainingStudy.FineTune(seed, epochs: PipelineEpochs), cache: cache);

    /// <summary>
    /// The centroid fine-tune: lesson 02's recipe (batch 128, cosine decay, the seed's shuffling) with Adam at
    /// <paramref name="rate"/>. A centroid's gradient is the sum over its cluster, so its size grows with the cluster:
    /// with SGD the right rate for a dense layer (thousands of weights per centroid) makes a sparse one crawl, and the
    /// rate chosen on sparse layers made dense ones diverge. Adam divides each step by the gradient's running scale,
    /// so one rate suits every cluster size; all weights of a cluster see the same gradients and still move together.
    /// </summary>
    public static TrainingOptions CentroidFineTune(int seed, double rate, int epochs = 1) =>
        RetrainingStudy.FineTune(seed, epochs, rate) with { Optimizer = OptimizerSettings.Adam(rate) };

    /// <summary>Quantizes a copy of <paramref name="model"/> by <paramref name="scheme"/> (fine-tuning centroids at <paramref name="rate"/> for <see cref="KMeansTuned"/>) and measures it.</summary>
    public static Measurement Quantize(string method, string scheme, int bits, nn.Module<Tensor, Tensor> model, CourseData data, int seed,
        double rate = 0, Func<nn.Module<Tensor, Tensor>, QuantizedModel, QuantizedModel>? also = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var copy = ModelZoo.Copy(model);
        var quantized = scheme switch
        {
            LinearTensor => ModelQuantization.Linear(copy, bits),
            LinearChannel => ModelQuantization.Linear(copy, bits, perChannel: true),
            KMeans => ModelQuantization.KMeans(copy, bits),
            KMeansTuned => TuneCentroids(copy, ModelQuantization.KMeans(copy, bits), data, CentroidFineTune(seed, rate)),
            _ => throw new ArgumentException($"Unknown scheme '{scheme}'. Choose one of: {string.Join(", ", Schemes)}.", nameof(scheme)),
        };
        if (also is not null) quantized = also(copy, quantized);
        using (quantized) return Measure(method, bits, seed, copy, quantized, data, scheme == KMeansTuned ? 1 : 0);
    }

    /// <summary>Fine-tunes the centroids of <paramref name="shared"/> in <paramref name="model"/> (zeros held) and returns the tuned codebooks; disposes <paramref name="shared"/>.</summary>
    public static QuantizedModel TuneCentroids(nn.Module<Tensor, Tensor> model, QuantizedModel shared, CourseData data, TrainingOptions recipe)
    {
        ArgumentNullException.ThrowIfNull(shared);
        ArgumentNullException.ThrowIfNull(data);
        using (var hook = new CentroidFineTuning(model, shared))
        {
            shared.Dispose();
            Trainer.Fit(model, data.Train, data.Validation, recipe with { Hooks = [hook] });
            return hook.Result();
        }
    }

    /// <summary>Accuracy, sparsity and bits (plain and Huffman-coded) of a quantized model.</summary>
    public static Measurement Measure(string method, double setting, int seed, nn.Module<Tensor, Tensor> model,
        IReadOnlyDictionary<string, QuantizedWeight>? quantized, CourseData data, double epochs)
    {
        var plain = CompressedSize.OfModel(model, quantized, huffman: false);
        var coded = CompressedSize.OfModel(model, quantized, huffman: true);
        return Measurement.Of(method, setting, seed, model, SparsityOf(model), data, epochs) with { Bits = plain.Total, HuffmanBits = coded.Total };
    }

    /// <summary>The fraction of prunable weights that are exactly zero.</summary>
    public static double SparsityOf(nn.Module model)
    {
        using var scope = NewDisposeScope();
        var weights = MagnitudePruning.PrunableWeights(model);
        return weights.Sum(w => w.Weight.eq(0).sum().item<long>()) / (double)weights.Sum(w => w.Weight.numel());
    }

    /// <summary>k-means on the dense model, then pruning by the quantized magnitudes: the pruned weights' codes become 0.</summary>
    public static QuantizedModel PruneShared(nn.Module<Tensor, Tensor> model, QuantizedModel shared, double sparsity)
    {
        ArgumentNullException.ThrowIfNull(shared);
        using var masks = ModelMasks.For(model);
        masks.Prune(Scope.Global(sparsity));
        var result = new QuantizedModel();
        foreach (var (name, q) in shared)
        {
            using var scope = NewDisposeScope();
            using var codebook = WeightSharing.Codebook(q);
            result[name] = WeightSharing.FromCodes(q.Codes * masks[name].to(int64), codebook, q.Scheme + ", then pruned");
        }
        shared.Dispose();
        masks.Remove();
        return result;
    }

    /// <summary>Every measurement of the study for one seed.</summary>
    public static List<Measurement> RunSeed(CourseData data, int seed, Action<Measurement>? onRow = null, bool cache = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        var dense = PretrainedModels.LeNet300100(data, seed);
        var rows = new List<Measurement>();
        void Add(Measurement m) { rows.Add(m); onRow?.Invoke(m); }

        var rate = ChooseRate(dense, data, seed, Add, cache);
        Add(new Measurement(ChosenRate, rate, seed, 0, 0, 0, 0));
        foreach (var s in Sparsities)
        {
            using var pruned = s == 0 ? null : PrunedBase(dense, data, s, seed, cache);
            var model = pruned?.Model ?? dense.Model;
            Add(Measure(Base, s, seed, model, null, data, s == 0 ? 0 : RetrainingStudy.FineTuneEpochs));
            foreach (var scheme in Schemes)
                foreach (var bits in BitWidths)
                    Add(Quantize(Method(scheme, s), scheme, bits, model, data, seed, rate));
        }
        foreach (var (s, bits) in OrderCases)
            foreach (var row in Order(dense, data, seed, s, bits, rate, cache))
                Add(row);
        foreach (var row in DataFree(dense, data, seed)) Add(row);
        foreach (var s in PipelineSparsities)
        {
            using var pruned = PipelinePruned(dense, data, s, seed, cache);
            Add(Measure(PipelineBase, s, seed, pruned.Model, null, data, PipelineEpochs));
            foreach (var bits in PipelineBits)
            {
                Add(Quantize(Pipeline(KMeans, s), KMeans, bits, pruned.Model, data, seed));
                Add(Quantize(Pipeline(KMeansTuned, s), KMeansTuned, bits, pruned.Model, data, seed, rate));
            }
        }
        dense.Model.Dispose();
        return rows;
    }

    /// <summary>The centroid rate of this seed: the best mean validation accuracy over <see cref="RateSweep"/>.</summary>
    public static double ChooseRate(PretrainedModel dense, CourseData data, int seed, Action<Measurement>? onRow = null, bool cache = false)
    {
        ArgumentNullException.ThrowIfNull(dense);
        var sweep = new List<Measurement>();
        foreach (var (s, bits) in RateSweep)
        {
            using var pruned = s == 0 ? null : PrunedBase(dense, data, s, seed, cache);
            foreach (var r in CentroidRates)
            {
                var row = Quantize(RateSweepName(s, bits), KMeansTuned, bits, pruned?.Model ?? dense.Model, data, seed, r) with { Setting = r };
                sweep.Add(row);
                onRow?.Invoke(row);
            }
        }
        return CentroidRates.MaxBy(r => sweep.Where(m => m.Setting == r).Average(m => m.Validation));
    }

    /// <summary>The four rows of the order question at (<paramref name="sparsity"/>, <paramref name="bits"/>).</summary>
    public static IEnumerable<Measurement> Order(PretrainedModel dense, CourseData data, int seed, double sparsity, int bits, double rate, bool cache = false)
    {
        ArgumentNullException.ThrowIfNull(dense);
        // One-shot: prune then cluster the survivors, or cluster everything then prune by the shared magnitudes.
        using (var copy = ModelZoo.Copy(dense.Model))
        {
            using (var masks = ModelMasks.For(copy)) { masks.Prune(Scope.Global(sparsity)); masks.Remove(); }
            yield return Quantize(OrderMethod(PruneThenQuantize, sparsity), KMeans, bits, copy, data, seed);
        }
        yield return Quantize(OrderMethod(QuantizeThenPrune, sparsity), KMeans, bits, dense.Model, data, seed,
            also: (model, shared) => PruneShared(model, shared, sparsity));
        // Five epochs each: 4 of fine-tuning then 1 of centroids, or 1 of centroids then 4 of centroids with the zeros held.
        using (var pruned = PrunedBase(dense, data, sparsity, seed, cache))
            yield return Quantize(OrderMethod(PruneThenQuantizeTrained, sparsity), KMeansTuned, bits, pruned.Model, data, seed, rate) with
                { Epochs = RetrainingStudy.FineTuneEpochs + 1 };
        yield return Quantize(OrderMethod(QuantizeThenPruneTrained, sparsity), KMeansTuned, bits, dense.Model, data, seed, rate,
            also: (model, shared) => TuneCentroids(model, PruneShared(model, shared, sparsity), data, CentroidFineTune(seed, rate, RetrainingStudy.FineTuneEpochs))) with
            { Epochs = RetrainingStudy.FineTuneEpochs + 1 };
    }

    /// <summary>Magnitude (no data) against layer-wise OBS calibrated on 32 … 2,048 training images, one-shot, at <see cref="DataFreeSparsity"/> of every layer.</summary>
    public static IEnumerable<Measurement> DataFree(PretrainedModel dense, CourseData data, int seed)
    {
        ArgumentNullException.ThrowIfNull(dense);
        ArgumentNullException.ThrowIfNull(data);
        using (var copy = ModelZoo.Copy(dense.Model))
        using (var masks = ModelMasks.For(copy))
        {
            masks.Prune(Scope.Uniform(DataFreeSparsity));
            yield return Measurement.Of(DataFreeMagnitude, 0, seed, copy, masks.Sparsity, data, 0);
        }
        foreach (var images in CalibrationSizes)
        {
            using var copy = ModelZoo.Copy(dense.Model);
            using var masks = ModelMasks.For(copy);
            LayerwiseObs.PruneModel(masks, dense.Model, SaliencyStudy.Layers.ToDictionary(l => l, _ => DataFreeSparsity), Calibration(data, images));
            yield return Measurement.Of(ObsWithImages, images, seed, copy, masks.Sparsity, data, 0);
        }
    }

    /// <summary>The first <paramref name="images"/> unshuffled training images, in batches of at most 256.</summary>
    public static IEnumerable<Batch> Calibration(CourseData data, int images)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(images, 1);
        var size = Math.Min(images, SaliencyStudy.CalibrationBatchSize);
        return data.Train.Batches(size, shuffle: false).Take((images + size - 1) / size);
    }

    /// <summary>The centroid rate that <paramref name="seed"/>'s sweep chose, from stored results.</summary>
    public static double ChosenRateOf(ExperimentResults results, int seed)
    {
        ArgumentNullException.ThrowIfNull(results);
        return results.Of(ChosenRate).FirstOrDefault(m => m.Seed == seed)?.Setting
               ?? throw new KeyNotFoundException($"'{results.Name}' has no chosen centroid rate for seed {seed}.");
    }

    /// <summary>How many times smaller than <paramref name="denseBits"/> a stored configuration is, mean over seeds (Huffman-coded or fixed-width).</summary>
    public static double Ratio(ExperimentResults results, string method, double setting, long denseBits, bool huffman)
    {
        ArgumentNullException.ThrowIfNull(results);
        return denseBits / results.Spread(method, setting, m => (huffman ? m.HuffmanBits : m.Bits)
            ?? throw new InvalidOperationException($"'{method}' at {setting} has no bits stored.")).Mean;
    }

    /// <summary>One configuration of the pipeline: its method name, sparsity, scheme and bits.</summary>
    public sealed record PipelineChoice(string Method, double Sparsity, string Scheme, int Bits);

    /// <summary>Every configuration of the pipeline, in the order of the tables.</summary>
    public static IReadOnlyList<PipelineChoice> PipelineConfigurations() =>
        [.. from s in PipelineSparsities from scheme in new[] { KMeans, KMeansTuned } from bits in PipelineBits
            select new PipelineChoice(Pipeline(scheme, s), s, scheme, bits)];

    /// <summary>
    /// The smallest pipeline configuration (fixed-width or Huffman-coded bits) whose mean validation accuracy is within
    /// <paramref name="points"/> points of the dense network's (<see cref="Base"/> at sparsity 0): the choice is made on
    /// validation, the test set only reports. Ties in size go to the first configuration (k-means before fine-tuned).
    /// </summary>
    /// <exception cref="InvalidOperationException">No configuration is close enough.</exception>
    public static PipelineChoice ChoosePipeline(ExperimentResults results, long denseBits, bool huffman, double points = 1)
    {
        ArgumentNullException.ThrowIfNull(results);
        var dense = results.Spread(Base, 0, m => m.Validation).Mean;   // the dense network: the base at sparsity 0
        return PipelineConfigurations()
            .Where(c => results.Spread(c.Method, c.Bits, m => m.Validation).Mean >= dense - points / 100)
            .OrderByDescending(c => Ratio(results, c.Method, c.Bits, denseBits, huffman))
            .FirstOrDefault() ?? throw new InvalidOperationException($"No pipeline configuration is within {points} point(s) of dense validation accuracy.");
    }

    /// <summary>
    /// A table for a heat-map: rows <see cref="Sparsities"/>, columns fp32 then <see cref="BitWidths"/>, each cell the
    /// mean over seeds of <paramref name="value"/> for <paramref name="scheme"/> (the fp32 column: the pruned base).
    /// </summary>
    public static double[,] Grid(ExperimentResults results, string scheme, Func<Measurement, double> value)
    {
        ArgumentNullException.ThrowIfNull(results);
        var grid = new double[Sparsities.Count, BitWidths.Count + 1];
        for (var i = 0; i < Sparsities.Count; i++)
        {
            grid[i, 0] = results.Spread(Base, Sparsities[i], value).Mean;
            for (var j = 0; j < BitWidths.Count; j++) grid[i, j + 1] = results.Spread(Method(scheme, Sparsities[i]), BitWidths[j], value).Mean;
        }
        return grid;
    }

    /// <summary>The settings of the study, for provenance.</summary>
    public static Dictionary<string, string> Settings() => new()
    {
        ["base recipe"] = PretrainedModels.BaseRecipe.Recipe() + " (seed = the run's seed)",
        ["pruned bases"] = $"global magnitude to {string.Join(", ", Sparsities.Where(s => s > 0))}, then lesson 02's fine-tune {RetrainingStudy.FineTune(0).Recipe()} (seed = 1 + 100 × the run's seed); 0 is the dense model",
        ["quantization"] = $"{string.Join("; ", Schemes)} at {string.Join(", ", BitWidths)} bits of every prunable weight (biases stay fp32); linear: symmetric, 2^(b−1) − 1 levels each side of 0; k-means: 2^b − 1 centroids over the non-zeros, linear initialisation, Lloyd to convergence (≤ 100 iterations), code 0 for zero",
        ["centroid fine-tune"] = $"one epoch of Adam (cosine, batch 128) in which every weight's gradient is the sum over its cluster; the rate chosen per seed on validation from {string.Join(", ", CentroidRates)} by the mean over {string.Join(", ", RateSweep.Select(r => Invariant($"{r.Bits} bits at {r.Sparsity:R}")))}",
        ["bits"] = "every prunable weight in the smallest of: dense codes, bitmask, relative indices of 1…16 bits with filler zeros; codes of ⌈log2 levels⌉ bits, or fp32; scales and codebooks fp32; biases fp32; Huffman: values and gaps Huffman-coded, 8 bits per symbol of each code table",
        ["order"] = $"at {string.Join(", ", OrderCases.Select(o => Invariant($"{o.Sparsity:R} with {o.Bits} bits")))}: one-shot (prune then k-means, or k-means then prune by the shared magnitudes), and at 5 epochs each (prune, 4 epochs fine-tune, k-means, 1 epoch centroids; or k-means, 1 epoch centroids, prune, 4 epochs centroids)",
        ["data-free"] = $"one-shot, {DataFreeSparsity:P0} of every layer: magnitude vs LayerwiseObs.PruneModel calibrated on the first {string.Join(", ", CalibrationSizes)} unshuffled training images",
        ["pipeline"] = $"gradual pruning (lesson 02's Zhu & Gupta schedule) to {string.Join(", ", PipelineSparsities)} over {PipelineEpochs} epochs of the fine-tuning recipe, then k-means at {string.Join(", ", PipelineBits)} bits, with and without the centroid fine-tune",
        ["evaluation"] = "accuracy on the validation split (5,000 images, choices) and on the test split (10,000 images, reports)",
    };
}
