import{n as e}from"./rolldown-runtime-WkwZ5CU-.js";import{H as t,a as n,l as r,n as i,o as a,r as o,t as s,u as c}from"./Status-BRIFI5fN.js";import{s as l}from"./index-TXEEKlO4.js";var u=e(t(),1),d=a(),f=n(`
  mutation ImportPeople($csv: String!, $dryRun: Boolean) {
    importPeople(csv: $csv, dryRun: $dryRun) {
      dryRun
      rows
      created
      updated
      unchanged
      errors {
        line
        column
        reason
      }
    }
  }
`);function p(){let[e,t]=(0,u.useState)(null),[n,a]=(0,u.useState)(``),[o,s]=r(f),c=o.data?.importPeople;return(0,d.jsxs)(`section`,{className:`card`,"aria-labelledby":`import-heading`,children:[(0,d.jsx)(`h2`,{id:`import-heading`,children:`Import people from the HR export`}),(0,d.jsx)(`label`,{htmlFor:`import-file`,children:`CSV file (columns in the README: email, name, department, …)`}),(0,d.jsx)(`input`,{id:`import-file`,type:`file`,accept:`.csv,text/csv`,onChange:async e=>{let n=e.target.files?.[0];a(n?.name??``),t(n?await n.text():null)}}),(0,d.jsxs)(`div`,{className:`actions`,children:[(0,d.jsx)(`button`,{type:`button`,disabled:!e||o.fetching,onClick:()=>e&&void s({csv:e,dryRun:!0}),children:`Check`}),(0,d.jsx)(`button`,{type:`button`,className:`primary`,disabled:!e||o.fetching||!c?.dryRun||c.errors.length>0,onClick:()=>e&&void s({csv:e,dryRun:!1}),children:`Import`})]}),(0,d.jsx)(i,{error:o.error}),c&&(0,d.jsxs)(`div`,{role:`status`,children:[(0,d.jsxs)(`p`,{className:c.errors.length?`error`:`notice`,children:[c.dryRun?`Checked ${n}`:`Imported ${n}`,`: `,c.rows,` rows; `,c.created,` `,c.dryRun?`would be created`:`created`,`, `,c.updated,` `,c.dryRun?`would be updated`:`updated`,`,`,` `,c.unchanged,` unchanged`,c.errors.length?`; ${c.errors.length} rows refused (nothing is imported until they are fixed)`:`.`]}),c.errors.length>0&&(0,d.jsx)(`ul`,{children:c.errors.map((e,t)=>(0,d.jsxs)(`li`,{children:[`Line `,e.line,e.column?`, ${e.column}`:``,`: `,e.reason]},t))})]})]})}var m=n(`
  query Programs {
    programs(first: 50) {
      nodes {
        id
        name
        status
        startsOn
        endsOn
        description
      }
    }
  }
`),h=n(`
  mutation CreateProgram($input: ProgramInput!) {
    createProgram(input: $input) {
      id
      name
    }
  }
`);function g(){let[{data:e,fetching:t,error:n},a]=c({query:m}),[f,g]=r(h),[_,v]=(0,u.useState)(``),[y,b]=(0,u.useState)(``),[x,S]=(0,u.useState)(``),[C,w]=(0,u.useState)(``);return(0,d.jsxs)(`section`,{"aria-labelledby":`programs-heading`,children:[(0,d.jsx)(`h1`,{id:`programs-heading`,children:`Programs`}),t&&!e&&(0,d.jsx)(o,{what:`the programs`}),(0,d.jsx)(i,{error:n}),e&&e.programs.nodes.length===0&&(0,d.jsx)(s,{children:`No programs yet.`}),(0,d.jsx)(`ul`,{className:`cards`,children:e?.programs.nodes.map(e=>(0,d.jsxs)(`li`,{className:`card`,children:[(0,d.jsxs)(`h2`,{children:[(0,d.jsx)(l,{to:`/ospo/programs/${e.id}`,children:e.name}),(0,d.jsx)(`span`,{className:`badge state-${e.status.toLowerCase()}`,children:e.status.toLowerCase()})]}),(0,d.jsxs)(`p`,{className:`meta`,children:[e.startsOn,` to `,e.endsOn]}),e.description&&(0,d.jsx)(`p`,{children:e.description})]},e.id))}),(0,d.jsxs)(`form`,{className:`card`,onSubmit:async e=>{e.preventDefault(),(await g({input:{name:_.trim(),startsOn:y,endsOn:x,description:C.trim()||void 0}})).error||(v(``),w(``),a({requestPolicy:`network-only`}))},"aria-labelledby":`new-program`,children:[(0,d.jsx)(`h2`,{id:`new-program`,children:`New program`}),(0,d.jsx)(`label`,{htmlFor:`program-name`,children:`Name`}),(0,d.jsx)(`input`,{id:`program-name`,value:_,onChange:e=>v(e.target.value),required:!0}),(0,d.jsx)(`label`,{htmlFor:`program-start`,children:`Starts on`}),(0,d.jsx)(`input`,{id:`program-start`,type:`date`,value:y,onChange:e=>b(e.target.value),required:!0}),(0,d.jsx)(`label`,{htmlFor:`program-end`,children:`Ends on`}),(0,d.jsx)(`input`,{id:`program-end`,type:`date`,value:x,onChange:e=>S(e.target.value),required:!0}),(0,d.jsx)(`label`,{htmlFor:`program-description`,children:`Description (optional)`}),(0,d.jsx)(`textarea`,{id:`program-description`,rows:2,value:C,onChange:e=>w(e.target.value)}),(0,d.jsx)(`button`,{type:`submit`,className:`primary`,disabled:f.fetching,children:`Create program`}),(0,d.jsx)(i,{error:f.error})]}),(0,d.jsx)(p,{})]})}export{g as default};