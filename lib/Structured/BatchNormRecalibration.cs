using PruningLab.Data;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PruningLab.Structured;

/// <summary>
/// Re-measures BatchNorm's running statistics (lesson 04). After channels are removed, the layers after them see
/// inputs of another distribution than the one their running mean and variance were measured on, and evaluation
/// normalises with the stale numbers. A few forward passes over training images, with no gradient and no weight
/// changing, measure them again.
/// </summary>
public static class BatchNormRecalibration
{
    /// <summary>
    /// Replaces every BatchNorm's running mean and variance by their average over <paramref name="batches"/> batches of
    /// <paramref name="data"/> (in order, not shuffled), then restores the model's mode. Weights, γ and β are unchanged.
    /// </summary>
    /// <returns>The number of images used.</returns>
    /// <exception cref="ArgumentException">The model has no BatchNorm.</exception>
    public static long Recalibrate(nn.Module<Tensor, Tensor> model, ImageDataset data, int batches = 20, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var norms = model.modules().OfType<BatchNorm>().ToList();
        if (norms.Count == 0) throw new ArgumentException($"{model.GetName()} has no BatchNorm to recalibrate.", nameof(model));
        var momenta = norms.Select(n => n.momentum).ToList();
        var wasTraining = model.training;
        long images = 0;
        try
        {
            foreach (var norm in norms) norm.reset_running_stats();
            model.train();
            using var noGrad = no_grad();
            var seen = 0;
            foreach (var batch in data.Batches(batchSize, shuffle: false, seed: 0).Take(batches))
            {
                using var scope = NewDisposeScope();
                using (batch)
                {
                    // Momentum 1/(k+1) makes the running value the plain average of the k+1 batches seen so far.
                    foreach (var norm in norms) norm.momentum = 1.0 / (seen + 1);
                    model.call(batch.X);
                    images += batch.Y.shape[0];
                    seen++;
                }
            }
        }
        finally
        {
            for (var i = 0; i < norms.Count; i++) norms[i].momentum = momenta[i];
            model.train(wasTraining);
        }
        return images;
    }
}
