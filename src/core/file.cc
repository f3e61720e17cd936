// File helpers with atomic replace (LevelDB SetCurrentFile style).
#include "core/file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace edgerun {

namespace {

// Opens `path` for reading and stats it: a descriptor for anything but a directory or a regular
// file over `max_bytes` (errors name the path).
Result<int> OpenForReading(const std::string& path, size_t max_bytes, struct stat* st) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IOError("cannot open '" + path + "': " + std::strerror(errno));
  if (::fstat(fd, st) != 0) {
    const int e = errno;
    ::close(fd);
    return IOError("cannot stat '" + path + "': " + std::strerror(e));
  }
  if (S_ISDIR(st->st_mode)) {
    ::close(fd);
    return IOError("'" + path + "' is a directory, expected a file");
  }
  if (S_ISREG(st->st_mode) && static_cast<uint64_t>(st->st_size) > max_bytes) {
    ::close(fd);
    return IOError("'" + path + "' is " + std::to_string(st->st_size) + " bytes, over the limit of " +
                   std::to_string(max_bytes));
  }
  return fd;
}

}  // namespace

Result<std::string> ReadFileToString(const std::string& path, size_t max_bytes) {
  struct stat st;
  int fd;
  EDGERUN_ASSIGN_OR_RETURN(fd, OpenForReading(path, max_bytes, &st));
  std::string out;
  out.resize(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::read(fd, out.data() + done, out.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return IOError("reading '" + path + "': " + std::strerror(errno));
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  out.resize(done);
  return out;
}

Result<MappedFile> MapFile(const std::string& path, size_t max_bytes) {
  struct stat st;
  int fd;
  EDGERUN_ASSIGN_OR_RETURN(fd, OpenForReading(path, max_bytes, &st));
  if (!S_ISREG(st.st_mode)) {  // pipes, devices: no mapping (and no size); read them to the end
    auto owned = std::make_shared<std::string>();
    char chunk[1 << 16];
    for (;;) {
      const ssize_t n = ::read(fd, chunk, sizeof(chunk));
      if (n < 0) {
        if (errno == EINTR) continue;
        const int e = errno;
        ::close(fd);
        return IOError("reading '" + path + "': " + std::strerror(e));
      }
      if (n == 0) break;
      if (owned->size() + static_cast<size_t>(n) > max_bytes) {
        ::close(fd);
        return IOError("'" + path + "' holds over the limit of " + std::to_string(max_bytes) + " bytes");
      }
      owned->append(chunk, static_cast<size_t>(n));
    }
    ::close(fd);
    MappedFile f;
    f.data_ = owned->empty() ? nullptr : owned->data();
    f.size_ = owned->size();
    f.mapping_ = owned;
    return f;
  }
  MappedFile f;
  const size_t size = static_cast<size_t>(st.st_size);
  if (size > 0) {
    // MAP_POPULATE: the pages are mapped in one go rather than faulted in one by one.
    void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (p == MAP_FAILED) {
      const int e = errno;
      ::close(fd);
      return IOError("cannot map '" + path + "': " + std::strerror(e));
    }
    f.data_ = static_cast<const char*>(p);
    f.size_ = size;
    f.mapping_ = std::shared_ptr<void>(p, [size](void* q) { ::munmap(q, size); });
  }
  ::close(fd);
  return f;
}

Status WriteFileAtomically(const std::string& path, const std::string& contents) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return IOError("cannot create '" + tmp + "': " + std::strerror(errno));
  size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return IOError("writing '" + tmp + "': " + std::strerror(e));
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return IOError("flushing '" + tmp + "': " + std::strerror(errno));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return IOError("renaming '" + tmp + "' to '" + path + "': " + std::strerror(e));
  }
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

}  // namespace edgerun
