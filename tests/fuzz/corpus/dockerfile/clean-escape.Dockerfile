# escape=`
FROM mcr.microsoft.com/windows/servercore:ltsc2022@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
WORKDIR C:\app
RUN powershell -Command `
    Write-Host "C:\path\with\backslashes\"
COPY app.exe C:\app\
USER ContainerUser
HEALTHCHECK CMD ["C:\\app\\app.exe", "--health"]
