// "Print" buttons (data-print): kept out of the page's markup so the CSP needs no inline script.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
