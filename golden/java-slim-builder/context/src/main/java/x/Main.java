package x;

public class Main {
  public static void main(String[] a) throws Exception {
    java.nio.file.FileSystem zip = java.nio.file.FileSystems.newFileSystem(java.nio.file.Path.of(a[0]));
    System.out.println(zip.getRootDirectories());
  }
}
