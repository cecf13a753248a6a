namespace PruningLab.Tests.Notebooks;

/// <summary>
/// A notebook kernel has no deps.json listing our natives, so TorchSharp's first probe is a bare
/// dlopen("libtorch_cpu.so"): another libtorch on the library path (Debian's python3-torch installs 1.13) would win.
/// The course preloads its own libtorch by absolute path; this test puts impostors first on the path.
/// </summary>
public class ForeignLibTorchTests
{
    [Fact]
    public void The_kernel_loads_the_course_libtorch_even_with_another_one_first_on_the_library_path()
    {
        var impostors = Directory.CreateTempSubdirectory("pruninglab-foreign-libtorch-").FullName;
        try
        {
            // Any shared library will do as an impostor: if it were loaded as libtorch, TorchSharp would fail.
            var donor = new[] { "/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib/x86_64-linux-gnu/libz.so.1", "/lib/aarch64-linux-gnu/libz.so.1" }.First(File.Exists);
            foreach (var name in new[] { "libtorch_cpu.so", "libc10.so", "libtorch.so", "libLibTorchSharp.so" })
                File.Copy(donor, Path.Combine(impostors, name));
            var probe = Path.Combine(AppContext.BaseDirectory, "Notebooks", "fixtures", "foreign_libtorch_probe.ipynb");
            // The probe's #r path is relative to its folder: output/test-runs/foreign/ → ../../../lib/bin/...
            var probeDir = Path.Combine(NotebookProcess.Root, "output", "test-runs", "foreign");
            Directory.CreateDirectory(probeDir);
            var probeCopy = Path.Combine(probeDir, "foreign_libtorch_probe.ipynb");
            File.Copy(probe, probeCopy, overwrite: true);
            var outDir = Path.Combine(NotebookProcess.Root, "output", "test-runs", "foreign", "out");
            var result = NotebookProcess.RunOurs(probeCopy, outDir,
                environment: new Dictionary<string, string> { ["LD_LIBRARY_PATH"] = impostors });
            var text = NotebookProcess.OutputText(Path.Combine(outDir, "foreign_libtorch_probe.ipynb"));
            Assert.True(result.ExitCode == 0, result.Output + text);
            Assert.Contains("product sum 8", text);
            Assert.Contains("mapped ", text);
            Assert.DoesNotContain(impostors, text);
            Assert.Contains("libtorch_cpu.so", text);
        }
        finally
        {
            Directory.Delete(impostors, recursive: true);
        }
    }
}
