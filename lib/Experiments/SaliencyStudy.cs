using PruningLab.Data;
using PruningLab.FirstOrder;
using PruningLab.Models;
using PruningLab.Pruning;
using PruningLab.SecondOrder;
using PruningLab.Training;
using static System.FormattableString;
using static TorchSharp.torch;

namespace PruningLab.Experiments;

/// <summary>
/// The measurements of lessons 05–07 on LeNet-300-100: which weights to remove when the criterion sees more than |w| —
/// magnitude, random, first-order Taylor |w·g|, Optimal Brain Damage with two estimates of the Hessian diagonal, and
/// layer-wise Optimal Brain Surgeon — at equal sparsities, one-shot and after the same one-epoch fine-tune. The
/// data-driven criteria calibrate once per base model on <see cref="CalibrationImages"/> training images; the
/// fine-tuning rate is chosen on the validation split (<see cref="RateSweep"/>).
/// <c>./course experiments 07</c> runs three seeds; the lessons recompute seed 0's one-shot rows live.
/// </summary>
public static class SaliencyStudy
{
    /// <summary>One magnitude threshold across the three layers (lesson 01's global pruning).</summary>
    public const string GlobalMagnitude = "global magnitude";
    /// <summary>One threshold on |w·g| across layers.</summary>
    public const string GlobalTaylor = "global Taylor |w·g|";
    /// <summary>One threshold on ½·h·w² across layers, h the empirical Fisher diagonal.</summary>
    public const string GlobalObdFisher = "global OBD (Fisher)";
    /// <summary>One threshold on ½·h·w² across layers, h Hutchinson's diagonal.</summary>
    public const string GlobalObdHutchinson = "global OBD (Hutchinson)";
    /// <summary>The same share of every layer by magnitude.</summary>
    public const string UniformMagnitude = "uniform magnitude";
    /// <summary>The same share of every layer at random.</summary>
    public const string UniformRandom = "uniform random";
    /// <summary>The same share of every layer by OBD (Fisher).</summary>
    public const string UniformObdFisher = "uniform OBD (Fisher)";
    /// <summary>Layer-wise OBS (<see cref="LayerwiseObs.PruneModel"/>), the same share of every layer.</summary>
    public const string UniformObs = "layer-wise OBS, uniform";
    /// <summary>Layer-wise OBS with the per-layer shares that <see cref="GlobalMagnitude"/> picks at the same sparsity.</summary>
    public const string GlobalObs = "layer-wise OBS, global magnitude's shares";
    /// <summary>What the fine-tuned rows add to a method's name.</summary>
    public const string FineTunedSuffix = " + fine-tune";

    /// <summary>Every method, in the order of the tables.</summary>
    public static IReadOnlyList<string> Methods { get; } =
        [GlobalMagnitude, GlobalTaylor, GlobalObdFisher, GlobalObdHutchinson, UniformMagnitude, UniformRandom, UniformObdFisher, UniformObs, GlobalObs];

    /// <summary>The sparsities of the curves (the share of all three layers' weights).</summary>
    public static IReadOnlyList<double> Sparsities { get; } = [0.5, 0.7, 0.8, 0.9, 0.95];

    /// <summary>Calibration batches: the first <see cref="CalibrationBatches"/> unshuffled training batches of <see cref="CalibrationBatchSize"/>.</summary>
    public const int CalibrationBatches = 8;
    /// <summary>The size of a calibration batch.</summary>
    public const int CalibrationBatchSize = 256;
    /// <summary>Images the data-driven criteria see.</summary>
    public const int CalibrationImages = CalibrationBatches * CalibrationBatchSize;
    /// <summary>Rademacher vectors of Hutchinson's estimate.</summary>
    public const int HutchinsonSamples = 100;
    /// <summary>The fine-tune after pruning: lesson 02's recipe (SGD with momentum 0.9, cosine, batch 128), one epoch.</summary>
    public const int FineTuneEpochs = 1;
    /// <summary>The fine-tuning rate, chosen on validation from <see cref="Rates"/> (the best mean over <see cref="RateSweep"/>'s runs).</summary>
    public const double FineTuneRate = 0.005;
    /// <summary>The rates tried for the one-epoch fine-tune.</summary>
    public static IReadOnlyList<double> Rates { get; } = [0.002, 0.005, 0.01, 0.02];
    /// <summary>The runs the rate is chosen on: each method at each sparsity, fine-tuned at every rate of <see cref="Rates"/>.</summary>
    public static IReadOnlyList<(string Method, double Sparsity)> RateSweep { get; } =
        [(GlobalMagnitude, 0.5), (GlobalMagnitude, 0.9), (GlobalObs, 0.5), (GlobalObs, 0.9), (UniformObs, 0.5), (UniformObs, 0.9)];
    /// <summary>How the rate-sweep rows are named: the prefix, then the method and the sparsity; their setting is the rate.</summary>
    public const string RateSweepPrefix = "rate sweep: ";

    /// <summary>The name of the rate-sweep rows of <paramref name="method"/> at <paramref name="sparsity"/>.</summary>
    public static string RateSweepName(string method, double sparsity) => Invariant($"{RateSweepPrefix}{method} at {sparsity:R}");

    /// <summary>The three layers.</summary>
    public static IReadOnlyList<string> Layers { get; } = ["fc1", "fc2", "fc3"];

    /// <summary>The calibration batches.</summary>
    public static IEnumerable<Batch> Calibration(CourseData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return data.Train.Batches(CalibrationBatchSize, shuffle: false).Take(CalibrationBatches);
    }

    /// <summary>The fine-tuning recipe of the <see cref="FineTunedSuffix"/> rows.</summary>
    public static TrainingOptions FineTune(int seed, double rate = FineTuneRate) => RetrainingStudy.FineTune(seed, epochs: FineTuneEpochs, rate: rate);

    /// <summary>
    /// Prunes <paramref name="masks"/>' model (a copy of <paramref name="dense"/>) to <paramref name="sparsity"/> by
    /// <paramref name="method"/>, one of <see cref="Methods"/>, with <paramref name="criteria"/> calibrated on the dense model.
    /// </summary>
    public static void Prune(ModelMasks masks, nn.Module<Tensor, Tensor> dense, CourseData data, string method, double sparsity, Criteria criteria)
    {
        ArgumentNullException.ThrowIfNull(masks);
        ArgumentNullException.ThrowIfNull(criteria);
        switch (method)
        {
            case GlobalMagnitude: masks.Prune(Scope.Global(sparsity), Importance.Magnitude); break;
            case GlobalTaylor: masks.Prune(Scope.Global(sparsity), criteria.Taylor); break;
            case GlobalObdFisher: masks.Prune(Scope.Global(sparsity), criteria.Fisher); break;
            case GlobalObdHutchinson: masks.Prune(Scope.Global(sparsity), criteria.Hutchinson); break;
            case UniformMagnitude: masks.Prune(Scope.Uniform(sparsity), Importance.Magnitude); break;
            case UniformRandom: masks.Prune(Scope.Uniform(sparsity), Importance.Random(seed: 0)); break;
            case UniformObdFisher: masks.Prune(Scope.Uniform(sparsity), criteria.Fisher); break;
            case UniformObs: LayerwiseObs.PruneModel(masks, dense, Layers.ToDictionary(l => l, _ => sparsity), Calibration(data)); break;
            case GlobalObs: LayerwiseObs.PruneModel(masks, dense, GlobalShares(dense, sparsity), Calibration(data)); break;
            default: throw new ArgumentException($"Unknown method '{method}'. Choose one of: {string.Join(", ", Methods)}.", nameof(method));
        }
    }

    /// <summary>The share of each layer (by module name) that one magnitude threshold across layers prunes at <paramref name="sparsity"/>.</summary>
    public static Dictionary<string, double> GlobalShares(nn.Module<Tensor, Tensor> dense, double sparsity)
    {
        using var copy = ModelZoo.Copy(dense);
        using var masks = ModelMasks.For(copy);
        masks.Prune(Scope.Global(sparsity), Importance.Magnitude);
        using var scope = NewDisposeScope();
        // By module name (fc1, fc2, …), for LeNet-300-100 and any other fully connected network.
        return masks.Names.ToDictionary(n => n.EndsWith(".weight", StringComparison.Ordinal) ? n[..^".weight".Length] : n,
            n => masks[n].eq(0).sum().item<long>() / (double)masks[n].numel());
    }

    /// <summary>Prunes a copy of the dense model by <paramref name="method"/> and measures it (no retraining).</summary>
    public static Measurement MeasureOneShot(PretrainedModel dense, CourseData data, int seed, string method, double sparsity, Criteria criteria)
    {
        ArgumentNullException.ThrowIfNull(dense);
        using var copy = ModelZoo.Copy(dense.Model);
        using var masks = ModelMasks.For(copy);
        Prune(masks, dense.Model, data, method, sparsity, criteria);
        return Measurement.Of(method, sparsity, seed, copy, masks.Sparsity, data, epochs: 0);
    }

    /// <summary>Prunes a copy by <paramref name="method"/>, then fine-tunes it with the masks held (cached by recipe).</summary>
    public static TrainedRun RunFineTuned(PretrainedModel dense, CourseData data, int seed, string method, double sparsity, Criteria criteria, bool cache = true,
        double rate = FineTuneRate)
    {
        ArgumentNullException.ThrowIfNull(dense);
        ArgumentNullException.ThrowIfNull(data);
        var fineTune = FineTune(seed, rate);
        return RunCache.Get(Invariant($"{dense.Key}|prune to {sparsity:R} by {method} ({criteria.Describe()}), then fine-tune|{fineTune.Recipe()}|{data.Train.Count}"),
            () => ModelZoo.Copy(dense.Model),
            (model, masks) =>
            {
                Prune(masks, dense.Model, data, method, sparsity, criteria);
                return Trainer.Fit(model, data.Train, data.Validation, fineTune with { Hooks = [masks.Hook] });
            }, cache);
    }

    /// <summary>Every measurement of the study for one seed.</summary>
    public static List<Measurement> RunSeed(CourseData data, int seed, Action<Measurement>? onRow = null, bool cache = false)
    {
        var dense = PretrainedModels.LeNet300100(data, seed);
        var rows = new List<Measurement>();
        void Add(Measurement m) { rows.Add(m); onRow?.Invoke(m); }
        Add(RetrainingStudy.MeasureDense(dense, data, seed));
        using var criteria = Criteria.Calibrate(dense.Model, data);
        foreach (var (method, s) in RateSweep)
            foreach (var rate in Rates)
            {
                using var run = RunFineTuned(dense, data, seed, method, s, criteria, cache, rate);
                Add(Measurement.Of(RateSweepName(method, s), rate, seed, run.Model, run.Masks.Sparsity, data, FineTuneEpochs));
            }
        foreach (var method in Methods)
            foreach (var s in Sparsities)
            {
                Add(MeasureOneShot(dense, data, seed, method, s, criteria));
                using var run = RunFineTuned(dense, data, seed, method, s, criteria, cache);
                Add(Measurement.Of(method + FineTunedSuffix, s, seed, run.Model, run.Masks.Sparsity, data, FineTuneEpochs));
            }
        dense.Model.Dispose();
        return rows;
    }

    /// <summary>The settings of the study, for provenance.</summary>
    public static Dictionary<string, string> Settings() => new()
    {
        ["base recipe"] = PretrainedModels.BaseRecipe.Recipe() + " (seed = the run's seed)",
        ["methods"] = string.Join("; ", Methods) + $"; at {string.Join(", ", Sparsities)} of all three layers' weights",
        ["calibration"] = $"the first {CalibrationBatches} unshuffled training batches of {CalibrationBatchSize} ({CalibrationImages:N0} images), on the dense model, once per seed",
        ["Taylor"] = "TaylorImportance.Absolute(): the mean over the calibration batches of |w·g|, g the batch's gradient of the cross-entropy",
        ["OBD"] = $"ObdImportance: ½·h·w² with h the empirical Fisher diagonal (one backward pass per calibration image) or Hutchinson's E[v ⊙ Hv] ({HutchinsonSamples} Rademacher vectors, seed 0) of the mean cross-entropy over the calibration images; negative estimates taken as 0",
        ["OBS"] = "LayerwiseObs.PruneModel: fc1, fc2, fc3 in turn, each refitted to the dense network's outputs from its inputs in the network pruned so far, then pruned by the column sweep (blocks of 128) with H = 2XᵀX/N + 0.01·mean(diag)·I",
        ["random"] = "Importance.Random(seed: 0)",
        ["fine-tune"] = $"{FineTune(0).Recipe()} (seed = 1 + 100 × the run's seed), masks held after every step; the rate chosen on validation: " +
                        $"the best mean over {string.Join(", ", RateSweep.Select(r => Invariant($"{r.Method} at {r.Sparsity:R}")))} of rates {string.Join(", ", Rates)}",
        ["evaluation"] = "accuracy on the validation split (5,000 images) and on the test split (10,000 images, reports)",
    };

    /// <summary>The data-driven criteria of one base model, calibrated once on <see cref="Calibration"/>.</summary>
    public sealed class Criteria : IDisposable
    {
        private Criteria(TaylorImportance taylor, ObdImportance fisher, ObdImportance hutchinson) => (Taylor, Fisher, Hutchinson) = (taylor, fisher, hutchinson);

        /// <summary>First-order Taylor |w·g|.</summary>
        public TaylorImportance Taylor { get; }
        /// <summary>OBD with the empirical Fisher diagonal.</summary>
        public ObdImportance Fisher { get; }
        /// <summary>OBD with Hutchinson's diagonal.</summary>
        public ObdImportance Hutchinson { get; }
        /// <summary>Seconds each calibration took: Taylor, Fisher, Hutchinson.</summary>
        public (double Taylor, double Fisher, double Hutchinson) Seconds { get; private set; }

        /// <summary>Calibrates the three criteria on the dense model.</summary>
        public static Criteria Calibrate(nn.Module<Tensor, Tensor> dense, CourseData data)
        {
            var criteria = new Criteria(TaylorImportance.Absolute(), ObdImportance.Fisher(), ObdImportance.Hutchinson(HutchinsonSamples));
            static double Time(Action a) { var clock = System.Diagnostics.Stopwatch.StartNew(); a(); return clock.Elapsed.TotalSeconds; }
            criteria.Seconds = (Time(() => criteria.Taylor.Calibrate(dense, Calibration(data))),
                                Time(() => criteria.Fisher.Calibrate(dense, Calibration(data))),
                                Time(() => criteria.Hutchinson.Calibrate(dense, Calibration(data))));
            return criteria;
        }

        /// <summary>For cache keys: what the criteria saw.</summary>
        public string Describe() => Invariant($"calibrated on {CalibrationImages} training images, Hutchinson {HutchinsonSamples}");

        /// <summary>Frees the criteria's tensors.</summary>
        public void Dispose()
        {
            Taylor.Dispose();
            Fisher.Dispose();
            Hutchinson.Dispose();
        }
    }
}
