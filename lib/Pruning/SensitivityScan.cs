using PruningLab.Data;
using PruningLab.Models;
using PruningLab.Training;
using static TorchSharp.torch;

namespace PruningLab.Pruning;

/// <summary>The accuracy of the model with one layer pruned to one sparsity (all other layers dense).</summary>
public sealed record SensitivityPoint(string Layer, double Sparsity, double Accuracy);

/// <summary>
/// Sensitivity analysis: prune one layer at a time over a grid of sparsities, without retraining, and record the
/// accuracy. Layers whose accuracy holds up can be pruned harder (Han et al., 2015; lesson 01).
/// </summary>
public static class SensitivityScan
{
    /// <summary>Scans every prunable layer of <paramref name="model"/> (or those named) over <paramref name="sparsities"/>.</summary>
    /// <param name="model">A course model (copied for every point; not changed).</param>
    /// <param name="evaluation">Data the accuracy is measured on: the validation split, since the scan guides choices.</param>
    /// <param name="sparsities">Grid of sparsities in [0, 1].</param>
    /// <param name="layers">Layers to scan (default all prunable).</param>
    /// <param name="criterion">Importance (magnitude by default).</param>
    public static List<SensitivityPoint> Run(nn.Module<Tensor, Tensor> model, ImageDataset evaluation, IReadOnlyList<double> sparsities,
        IReadOnlyList<string>? layers = null, IImportance? criterion = null)
    {
        foreach (var s in sparsities) _ = Amount.Of(s);
        layers ??= LayerNames.Prunable(model).Keys.ToList();
        var points = new List<SensitivityPoint>();
        foreach (var layer in layers)
            foreach (var sparsity in sparsities)
            {
                using var copy = ModelZoo.Copy(model);
                using var masks = ModelMasks.For(copy);
                masks.Prune(Scope.LayerWise(new Dictionary<string, double> { [layer] = sparsity }), criterion);
                points.Add(new SensitivityPoint(LayerNames.Resolve(masks.Names, layer)!, sparsity, Evaluator.Accuracy(copy, evaluation)));
            }
        return points;
    }

    /// <summary>
    /// Per layer, the highest scanned sparsity whose accuracy stays within <paramref name="maxDrop"/> (absolute,
    /// e.g. 0.01 = one point) of <paramref name="baseline"/>: a starting point for per-layer sparsities.
    /// </summary>
    public static Dictionary<string, double> MaxSparsityWithin(IEnumerable<SensitivityPoint> points, double baseline, double maxDrop) =>
        points.GroupBy(p => p.Layer).ToDictionary(g => g.Key,
            g => g.Where(p => p.Accuracy >= baseline - maxDrop).Select(p => p.Sparsity).DefaultIfEmpty(0).Max());
}
