using PruningLab.Data;
using PruningLab.Models;
using PruningLab.Pruning;
using PruningLab.Training;
using static TorchSharp.torch;

namespace PruningLab.Experiments;

/// <summary>
/// The measurements of lesson 01 (pruning without retraining): scopes and criteria at several sparsities, and whole
/// neurons of fc1 by L1, L2 or random scores. Cheap (no training beyond the base models), so the lesson recomputes its
/// seed live; <c>./course experiments 01</c> adds the other seeds for the spread.
/// </summary>
public static class SparsityStudy
{
    /// <summary>One magnitude ranking across layers.</summary>
    public const string Global = "global magnitude";
    /// <summary>The same share of every layer, by magnitude.</summary>
    public const string Uniform = "uniform magnitude";
    /// <summary>The same share of every layer, at random.</summary>
    public const string Random = "uniform random";
    /// <summary>Half of fc1's neurons (rows), lowest L1 norm first.</summary>
    public const string RowsL1 = "fc1 rows, L1 norm";
    /// <summary>Half of fc1's neurons, lowest L2 norm first.</summary>
    public const string RowsL2 = "fc1 rows, L2 norm";
    /// <summary>Half of fc1's neurons at random.</summary>
    public const string RowsRandom = "fc1 rows, random";

    /// <summary>The sparsities of the accuracy-vs-sparsity curves.</summary>
    public static IReadOnlyList<double> Sparsities { get; } = [0.5, 0.7, 0.8, 0.9, 0.95, 0.98];

    /// <summary>The three scopes and criteria of the curves, by name.</summary>
    public static IReadOnlyList<(string Method, Func<double, Scope> Scope, IImportance Criterion)> Curves { get; } =
    [
        (Global, s => Scope.Global(s), Importance.Magnitude),
        (Uniform, s => Scope.Uniform(s), Importance.Magnitude),
        (Random, s => Scope.Uniform(s), Importance.Random(seed: 0)),
    ];

    /// <summary>The three criteria for whole neurons, by name.</summary>
    public static IReadOnlyList<(string Method, IImportance Criterion)> RowCriteria { get; } =
        [(RowsL1, Importance.Lp(1)), (RowsL2, Importance.Lp(2)), (RowsRandom, Importance.Random(seed: 0))];

    /// <summary>Prunes a copy of <paramref name="dense"/> and measures it (no retraining).</summary>
    public static Measurement Measure(PretrainedModel dense, CourseData data, int seed, string method, double setting,
        Scope scope, IImportance criterion, Granularity? granularity = null)
    {
        using var copy = ModelZoo.Copy(dense.Model);
        using var masks = ModelMasks.For(copy);
        masks.Prune(scope, criterion, granularity);
        return Measurement.Of(method, setting, seed, copy, masks.Sparsity, data, epochs: 0);
    }

    /// <summary>Every measurement of the lesson for one seed's base model.</summary>
    public static List<Measurement> RunSeed(CourseData data, int seed, Action<Measurement>? onRow = null)
    {
        var dense = PretrainedModels.LeNet300100(data, seed);
        var rows = new List<Measurement> { RetrainingStudy.MeasureDense(dense, data, seed) };
        foreach (var (method, scope, criterion) in Curves)
            foreach (var s in Sparsities)
                rows.Add(Measure(dense, data, seed, method, s, scope(s), criterion));
        foreach (var (method, criterion) in RowCriteria)
            rows.Add(Measure(dense, data, seed, method, 0.5, Scope.LayerWise(new Dictionary<string, double> { ["fc1"] = 0.5 }), criterion, Granularity.Rows));
        foreach (var row in rows) onRow?.Invoke(row);
        dense.Model.Dispose();
        return rows;
    }

    /// <summary>The settings of the study, for provenance.</summary>
    public static Dictionary<string, string> Settings() => new()
    {
        ["base recipe"] = PretrainedModels.BaseRecipe.Recipe() + " (seed = the run's seed)",
        ["curves"] = $"{string.Join(", ", Curves.Select(c => c.Method))} at {string.Join(", ", Sparsities)}, no retraining",
        ["rows"] = $"half of fc1's 300 neurons by {string.Join(", ", RowCriteria.Select(c => c.Method))}, no retraining, biases kept",
        ["random criterion"] = "Importance.Random(seed: 0): the same random scores for every base model",
        ["evaluation"] = "accuracy on the validation split (5,000 images) and on the test split (10,000 images)",
    };
}
