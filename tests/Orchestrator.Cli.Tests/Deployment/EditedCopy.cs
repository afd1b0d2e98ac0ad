using Xunit;

namespace Orchestrator.Cli.Tests.Deployment;

/// <summary>
/// A temporary copy of deployment files, paths kept relative to their root, with one file's text edited: what the
/// checks must catch. The edit must apply, or the case would test nothing. The copy is deleted on dispose.
/// </summary>
public sealed class EditedCopy : IDisposable
{
    private EditedCopy(string folder) => Folder = folder;

    public string Folder { get; }

    /// <param name="file">The file to edit, relative to <paramref name="root"/>; an empty <paramref name="from"/> edits nothing.</param>
    public static EditedCopy Of(string root, IEnumerable<string> files, string file, string from, string to)
    {
        var copy = new EditedCopy(Directory.CreateTempSubdirectory("deployment-edit-").FullName);
        foreach (string source in files)
        {
            string relative = Path.GetRelativePath(root, source);
            string text = File.ReadAllText(source);
            if (relative == file && from.Length > 0)
            {
                Assert.Contains(from, text);
                text = text.Replace(from, to, StringComparison.Ordinal);
            }
            string target = Path.Combine(copy.Folder, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllText(target, text);
        }
        return copy;
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
